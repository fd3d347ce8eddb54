"""The vendored front-end files are exactly what tools/refresh_web_vendor.py wrote from
the pinned tarballs (VENDOR.md lists each file's sha256), axe-core stays out of the
package, and GraphiQL's stylesheet needs no data: fonts (the CSP would refuse them)."""

from __future__ import annotations

from pathlib import Path

from graph_crm.web.assets import STATIC_DIR
from tests.docs.blocks import doc_block
from tests.docs.shell import run_block, user_environment
from tools.refresh_web_vendor import (
    PINS,
    REPO,
    TEST_VENDOR,
    check,
    fonts_to_files,
    recorded_files,
)


def test_the_committed_vendor_files_match_vendor_md() -> None:
    assert check() == []


def test_vendor_md_lists_every_vendored_file_and_nothing_else() -> None:
    on_disk = {
        path
        for folder in (STATIC_DIR / "vendor", TEST_VENDOR)
        for path in folder.rglob("*")
        if path.is_file() and path.name != "VENDOR.md"
    }
    assert set(recorded_files()) == on_disk


def test_every_package_is_pinned_to_an_exact_version_and_tarball() -> None:
    for pin in PINS:
        assert pin.version.count(".") == 2
        assert pin.version.replace(".", "").isdigit(), pin
        assert len(pin.tarball_sha256) == 64
        assert pin.tarball_url.endswith(f"-{pin.version}.tgz")
        assert any(target.name == "LICENSE" for target in pin.files.values()), pin.name


def test_axe_core_is_for_the_tests_only() -> None:
    [axe] = [pin for pin in PINS if pin.name == "axe-core"]
    assert all(target.is_relative_to(TEST_VENDOR) for target in axe.files.values())
    assert not list(STATIC_DIR.rglob("axe*"))


def test_graphiqls_stylesheet_loads_its_fonts_from_files() -> None:
    css = (STATIC_DIR / "vendor/graphiql/graphiql.min.css").read_text(encoding="utf-8")
    assert "data:font" not in css
    assert "url(fonts/" in css
    assert "@import" not in css


def test_data_fonts_become_files_named_by_their_hash() -> None:
    css, fonts = fonts_to_files(
        b"a{src:url(data:font/woff2;base64,AAEC)}b{src:url(data:font/woff;base64,AAEC)}",
        Path("f"),
    )
    assert css == b"a{src:url(fonts/f-ae4b3280.woff2)}b{src:url(fonts/f-ae4b3280.woff)}"
    assert fonts == {
        Path("f/fonts/f-ae4b3280.woff2"): b"\x00\x01\x02",
        Path("f/fonts/f-ae4b3280.woff"): b"\x00\x01\x02",
    }


def test_the_documented_check_passes() -> None:
    [check_run] = run_block(doc_block("console-vendor-check"), REPO, user_environment())
    assert "match VENDOR.md" in check_run.stdout
