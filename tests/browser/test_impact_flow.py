"""Flow 3, the Impact page in a real browser on both backends: run the RTM-02 report,
sort it, open a customer's why, download the CSV (equal to what `graph-crm impact`
writes for the same arguments on the served store), compare 6 days against 3; by mouse
and by keyboard alone, axe-core on every state, in English and Chinese.

The page only reads: the shared `served` demo is enough."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from graph_crm.auth.roles import Role
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.browser.console import PageWatch, tab_to
from tests.browser.served import Served

SOURCE = "Warehouse:RTM-02"
AS_OF_FIELD = "2026-11-23T09:00"  # the demo's instant, in UTC


def cli_csv(served: Served, tmp_path: Path, delay: str, as_of: str) -> bytes:
    """What `graph-crm impact --format csv -o FILE` writes on the served store."""
    output = tmp_path / "cli.csv"
    done = subprocess.run(
        [sys.executable, "-m", "graph_crm.cli", "impact", "--source", SOURCE, "--delay", delay,
         "--as-of", as_of, "--format", "csv", "-o", str(output), *served.store],
        capture_output=True, text=True, timeout=300, check=False, env=served.env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return output.read_bytes()


def column(page: Page, index: int) -> list[str]:
    cells = page.locator(f"#impact-table tbody tr > :nth-child({index})")
    return cells.all_inner_texts()


def numbers(texts: list[str]) -> list[float]:
    return [float(text.replace(",", "")) for text in texts]


def assert_axe_clean(watch: PageWatch) -> None:
    assert watch.axe() == []


def check_report(page: Page) -> None:
    expect(page.locator("#impact-results-title")).to_contain_text("Rotterdam Maasvlakte 2")
    expect(page.locator(".impact-kpis .kpi").first).to_contain_text("138")
    expect(page.locator("#impact-table caption")).to_contain_text("138 of 138")
    expect(page.locator("#impact-table tbody tr")).to_have_count(25)  # a page


def check_why(page: Page) -> Locator:
    why = page.locator("#impact-why")
    expect(why.locator("#impact-why-title")).to_be_focused()
    expect(why.locator("table caption")).to_have_text("Score components")
    expect(why.locator("tbody tr")).to_have_count(3)
    expect(why.locator("#impact-paths")).to_have_attribute("data-drawn", "true")
    assert why.locator(".impact-path-list li").count() >= 1
    assert "Rotterdam Maasvlakte 2 →" in why.locator(".impact-path-list li").first.inner_text()
    assert why.locator(".impact-actions li").count() >= 1
    return why


def test_flow_3_run_sort_why_download_compare(
    watch: PageWatch, served: Served, tmp_path: Path
) -> None:
    watch.sign_in(Role.RISK)
    page = watch.page
    page.locator("#nav-impact").click()
    expect(page.locator("#impact-run")).to_be_visible()
    assert page.locator("#impact-policy").input_value() == "customs-delay"
    assert_axe_clean(watch)
    # the type-ahead over the policy's source type
    page.locator("#impact-source").fill("RTM")
    option = page.get_by_role("option", name="RTM-02 · Rotterdam Maasvlakte 2")
    expect(option).to_be_visible()
    expect(page.locator("#impact-source")).to_have_attribute("aria-expanded", "true")
    assert_axe_clean(watch)
    option.click()
    page.locator("#impact-delay").fill("6")
    page.locator("#impact-asof").fill(AS_OF_FIELD)
    page.locator("#impact-run").click()
    check_report(page)
    expect(page.locator("#impact-results-title")).to_be_focused()
    assert numbers(column(page, 1)) == list(range(1, 26))
    screenshot(page, served, "impact-report")
    # what a risk officer sees first, one screen of it (docs/images/console-impact.png)
    page.screenshot(
        path=str(SCREENSHOTS / f"{served.backend}-impact-screen.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": 1320},
    )
    assert_axe_clean(watch)
    # sort by score: ascending, then descending (aria-sort says which)
    score = page.locator("th:has(button[data-sort=score])")
    page.locator("button[data-sort=score]").click()
    expect(score).to_have_attribute("aria-sort", "ascending")
    ascending = numbers(column(page, 4))
    assert ascending == sorted(ascending)
    page.locator("button[data-sort=score]").click()
    expect(score).to_have_attribute("aria-sort", "descending")
    descending = numbers(column(page, 4))
    assert descending == sorted(descending, reverse=True)
    # filter by tier and search a customer
    page.locator("#impact-tier-filter").select_option("T1")
    expect(page.locator("#impact-table caption")).to_contain_text("53 of 138")
    assert set(column(page, 3)) == {"T1 · Breach predicted"}
    page.locator("#impact-tier-filter").select_option("")
    # open the first row's why by clicking the row
    first = page.locator("#impact-table tbody tr").first
    name = first.locator("th").inner_text()
    first.locator("td").first.click()
    why = check_why(page)
    expect(why.locator("#impact-why-title")).to_contain_text(name)
    screenshot(page, served, "impact-why")
    assert_axe_clean(watch)
    # download the CSV: the CLI's, byte for byte
    with page.expect_download() as downloading:
        page.locator("button[data-format=CSV]").click()
    download = downloading.value
    assert download.suggested_filename == "impact-Warehouse_RTM-02-6d-20261123T0900Z.csv"
    assert Path(download.path()).read_bytes() == cli_csv(
        served, tmp_path, "6", AS_OF_FIELD + ":00Z"
    )
    expect(page.locator("#impact-download-status")).to_contain_text("Downloaded impact-")
    # what-if: 6 days against 3
    page.locator("#impact-base-delay").fill("3")
    assert page.locator("#impact-other-delay").input_value() == "6"
    page.locator("#impact-compare").click()
    expect(page.locator("#impact-compare-results")).to_be_focused()
    expect(page.locator("#impact-entered caption")).to_have_text("Entered (0)")
    changes = page.locator("#impact-changes tbody tr")
    assert changes.count() > 0
    assert "→ T1" in changes.first.inner_text() or "→ T2" in changes.first.inner_text()
    sides = page.locator("#impact-sides tbody tr").first.locator("td").all_inner_texts()
    assert sides == ["138", "138"]
    screenshot(page, served, "impact-compare")
    assert_axe_clean(watch)
    # in Chinese, all of it is still there
    page.locator("#language").select_option("zh")
    expect(page.locator("#impact-run")).to_have_text("运行报告")
    expect(page.locator("#impact-why-title")).to_contain_text("为何排第")
    expect(page.locator("#impact-changes caption")).to_contain_text("等级变化")
    screenshot(page, served, "impact-zh")
    assert_axe_clean(watch)


@pytest.mark.page_only
def test_flow_3_by_keyboard_alone(watch: PageWatch, served: Served, tmp_path: Path) -> None:
    watch.sign_in(Role.RISK)
    page = watch.page
    keyboard = page.keyboard
    tab_to(page, "#nav-impact")
    keyboard.press("Enter")
    expect(page.locator("#page-title")).to_be_focused()
    tab_to(page, "#impact-source")
    keyboard.type("RTM-0")
    expect(page.locator("#impact-source")).to_have_attribute("aria-expanded", "true")
    options = page.get_by_role("option")
    for _ in range(options.count()):
        keyboard.press("ArrowDown")
        active = page.locator("#impact-source").get_attribute("aria-activedescendant")
        if page.locator(f"#{active}").inner_text().startswith("RTM-02"):
            break
    keyboard.press("Enter")  # picks, and does not submit yet
    expect(page.locator("#impact-source")).to_have_value("RTM-02 · Rotterdam Maasvlakte 2")
    expect(page.locator("#impact-source")).to_have_attribute("aria-expanded", "false")
    keyboard.press("Tab")
    keyboard.press("Control+A")
    keyboard.type("6")
    as_of = page.locator("#impact-asof").input_value()  # now, in UTC, to the minute
    keyboard.press("Enter")  # submits the form
    check_report(page)
    tab_to(page, "button[data-sort=score]")
    keyboard.press("Enter")
    expect(page.locator("th:has(button[data-sort=score])")).to_have_attribute(
        "aria-sort", "ascending"
    )
    ascending = numbers(column(page, 4))
    assert ascending == sorted(ascending)
    tab_to(page, "#impact-table tbody tr:first-child th button")
    keyboard.press("Enter")
    check_why(page)
    tab_to(page, "button[data-format=CSV]")
    with page.expect_download() as downloading:
        keyboard.press("Enter")
    assert Path(downloading.value.path()).read_bytes() == cli_csv(
        served, tmp_path, "6", as_of + ":00Z"
    )
    tab_to(page, "#impact-base-delay")
    keyboard.press("Control+A")
    keyboard.type("3")
    keyboard.press("Enter")
    expect(page.locator("#impact-compare-results")).to_be_focused()
    assert page.locator("#impact-changes tbody tr").count() > 0
    assert_axe_clean(watch)


@pytest.mark.page_only
def test_a_refusal_is_shown_at_its_field_and_keeps_the_form(watch: PageWatch) -> None:
    watch.sign_in(Role.RISK)
    page = watch.page
    page.goto("/#/impact")
    page.locator("#impact-source").fill("Warehouse:NOPE-99")
    page.locator("#impact-delay").fill("6")
    page.locator("#impact-run").click()
    error = page.locator("#impact-source-error")
    expect(error).to_contain_text("NOT_FOUND")
    expect(page.locator("#impact-source")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#impact-source")).to_be_focused()
    expect(page.locator("#impact-source")).to_have_value("Warehouse:NOPE-99")
    page.locator("#impact-delay").fill("400")
    page.locator("#impact-source").fill("Warehouse:RTM-02")
    page.locator("#impact-run").click()
    expect(page.locator("#impact-delay-error")).to_contain_text("365")
    expect(page.locator("#impact-delay")).to_have_value("400")
    assert page.locator("#impact-source-error").inner_text() == ""
    assert_axe_clean(watch)


@pytest.mark.page_only
def test_roles_without_the_impact_permission_do_not_see_the_page(watch: PageWatch) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    expect(page.locator("#nav-impact")).to_have_count(0)
    page.goto("/#/impact")
    expect(page.locator("#impact-run")).to_have_count(0)
