"""The pure core (model/, impact/, incidents/) reads no clock: the time is a parameter.

Import contracts cannot see ``datetime.now()``, so this reads the source. Doctests may
use a clock (they are examples, not the core).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "graph_crm"
CORE_FILES = sorted(
    path for part in ("model", "impact", "incidents") for path in (PACKAGE / part).rglob("*.py")
)
#: Calls that read the clock: ``datetime.now()``, ``date.today()``, ``utc_now()``; the
#: ``time`` module is kept out by the import contracts, and graph_crm.clock by the layers.
CLOCK_ATTRIBUTES = {"now", "utcnow", "today"}
CLOCK_FUNCTIONS = {"utc_now"}


def _clock_calls(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in CLOCK_ATTRIBUTES:
            found.append(f"line {node.lineno}: .{func.attr}()")
        elif isinstance(func, ast.Name) and func.id in CLOCK_FUNCTIONS:
            found.append(f"line {node.lineno}: {func.id}()")
    return found


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_module_reads_no_clock(path: Path) -> None:
    assert _clock_calls(path.read_text()) == []


def test_a_clock_call_is_seen() -> None:
    source = "from datetime import UTC, datetime\n\ndef f():\n    return datetime.now(UTC)\n"
    assert _clock_calls(source) == ["line 4: .now()"]
    assert _clock_calls("def g(at):\n    return at\n") == []
