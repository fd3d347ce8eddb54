"""The documentation site (mkdocs.yml, docs/): its strict build fails on a broken link or
anchor, and the pages it builds load nothing from the network. scripts/test builds the
real site with `mkdocs build --strict` in every mode."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown.extensions.toc import slugify

from tests.docs.blocks import REPO

#: What a page would fetch when opened: scripts, stylesheets, images, fonts, frames.
_FETCHES = re.compile(
    r"<(?:script|img|iframe|source)\b[^>]*\bsrc=[\"']?(?:https?:)?//"
    r"|<link\b[^>]*\bhref=[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//"
    r"|@import\s+[\"']?(?:url\()?[\"']?(?:https?:)?//",
    flags=re.IGNORECASE,
)


def build(source: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(source / "mkdocs.yml"),
         "-d", str(site)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def copy_of_the_docs(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    shutil.copytree(REPO / "docs", source / "docs")
    shutil.copy(REPO / "mkdocs.yml", source / "mkdocs.yml")
    return source


def test_the_site_builds_strictly_and_loads_nothing_from_the_network(tmp_path: Path) -> None:
    site = tmp_path / "site"
    built = build(REPO, site)
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr
    pages = sorted(site.rglob("*.html"))
    assert {page.parent.name for page in pages} >= {"graphql", "policies", "security"}
    fetching = [
        f"{path.relative_to(site)}: {found.group(0)}"
        for path in sorted(site.rglob("*"))
        if path.suffix in (".html", ".css", ".js")
        for found in _FETCHES.finditer(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert fetching == []


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("[gone](no-such-page.md)", "no-such-page.md"),
        ("[gone](security.md#no-such-anchor)", "does not contain an anchor '#no-such-anchor'"),
    ],
)
def test_a_broken_link_or_anchor_fails_the_build(tmp_path: Path, broken: str, message: str) -> None:
    source = copy_of_the_docs(tmp_path)
    page = source / "docs" / "cli.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\nSee {broken}.\n", encoding="utf-8")
    built = build(source, tmp_path / "site")
    assert built.returncode != 0
    assert message in built.stderr
    assert "Aborted with 1 warnings in strict mode" in built.stdout + built.stderr


def test_a_page_left_out_of_the_nav_fails_the_build(tmp_path: Path) -> None:
    source = copy_of_the_docs(tmp_path)
    (source / "docs" / "orphan.md").write_text("# Orphan\n", encoding="utf-8")
    built = build(source, tmp_path / "site")
    assert built.returncode != 0
    assert "orphan.md" in built.stderr


def headings_anchors(page: Path) -> set[str]:
    """The anchors of a page's headings, as MkDocs (and GitHub) make them."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {slugify(title, "-") for title in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def test_the_readme_links_reach_files_and_anchors_that_exist() -> None:
    """The README is not part of the site, so its links are checked here."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((?!https?:)([^)#]+)(?:#([^)]+))?\)", readme)
    assert ("docs/graphql.md", "a-first-session") in links
    for target, anchor in links:
        assert (REPO / target).exists(), target
        if anchor:
            assert anchor in headings_anchors(REPO / target), f"{target}#{anchor}"
