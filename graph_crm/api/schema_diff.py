"""The difference between two served schemas, definition by definition (pure).

A definition is a named type, input, enum, scalar, union or directive of the SDL;
a changed one reports the lines it gains and loses (a field, an argument, an enum value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from graphql import parse, print_ast

Change = Literal["ADDED", "CHANGED", "REMOVED"]


@dataclass(frozen=True)
class DefinitionDiff:
    name: str
    change: Change
    added: tuple[str, ...]
    removed: tuple[str, ...]
    sdl: str


def definitions(sdl: str) -> dict[str, str]:
    """Each named definition of ``sdl``, printed alone."""
    found: dict[str, str] = {}
    for node in parse(sdl).definitions:
        name = getattr(node, "name", None)
        if name is not None:
            found[name.value] = print_ast(node)
    return found


def schema_diff(before: str, after: str) -> list[DefinitionDiff]:
    """What changes from SDL ``before`` to SDL ``after``, by definition name.

    >>> old = "type Query { a: Int }"
    >>> new = "type Query { a: Int b: String } type B { x: Int }"
    >>> [(d.name, d.change, d.added) for d in schema_diff(old, new)]
    [('B', 'ADDED', ('type B {', '  x: Int', '}')), ('Query', 'CHANGED', ('  b: String',))]
    """
    old, new = definitions(before), definitions(after)
    diffs = []
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name), new.get(name)
        if was == now:
            continue
        if was is None:
            assert now is not None
            diffs.append(DefinitionDiff(name, "ADDED", tuple(now.splitlines()), (), now))
        elif now is None:
            diffs.append(DefinitionDiff(name, "REMOVED", (), tuple(was.splitlines()), was))
        else:
            was_lines, now_lines = was.splitlines(), now.splitlines()
            added = tuple(line for line in now_lines if line not in set(was_lines))
            removed = tuple(line for line in was_lines if line not in set(now_lines))
            diffs.append(DefinitionDiff(name, "CHANGED", added, removed, now))
    return diffs
