"""The report output the README and the pages show is what the demo prints today.

Every ``text`` block holding a report (a line ``Impact of a …``) is a copy of the demo's
output, abridged: its lines from that headline on, the ``...`` elisions aside, must be
lines the demo prints, in the same order. A wording change that leaves a copy stale
fails here.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli_process import run
from tests.docs.blocks import Block, documentation_files, read_blocks

HEADLINE = "Impact of a "
ELISION = frozenset({"...", "…"})
#: Where a copy's report ends: what follows is the demo's own (paths, keys, a server).
REPORT_END = ("  … and ", "The full report")


def report_copies() -> list[Block]:
    return [
        block
        for path in documentation_files()
        for block in read_blocks(path)
        if block.language == "text"
        and any(line.startswith(HEADLINE) for line in block.text.splitlines())
    ]


def copied_lines(block: Block) -> list[str]:
    lines = block.text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(HEADLINE))
    copied: list[str] = []
    for line in lines[start:]:
        if line.startswith(REPORT_END):
            break
        if line.strip() not in ELISION:
            copied.append(line)
    return copied


def unmatched(copied: list[str], printed: list[str]) -> str | None:
    """The first copied line not found, in order, among the printed lines."""
    position = 0
    for line in copied:
        try:
            position = printed.index(line, position) + 1
        except ValueError:
            return line
    return None


def test_every_report_copy_is_what_the_demo_prints(tmp_path: Path) -> None:
    copies = report_copies()
    assert {block.path.name for block in copies} >= {"README.md", "demo.md", "impact.md"}
    demo = run("demo", "--db", str(tmp_path / "demo.db"), "--report", "")
    assert demo.returncode == 0, demo.stderr
    printed = demo.stdout.splitlines()
    assert "As of 2026-11-23 09:00 UTC" in printed
    for block in copies:
        copied = copied_lines(block)
        assert len(copied) >= 7, block.where  # at least the headline, as-of, policy, tiers
        assert unmatched(copied, printed) is None, (
            f"{block.where}: {unmatched(copied, printed)!r} is not what the demo prints"
        )
