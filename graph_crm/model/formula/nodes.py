"""The expression tree a formula parses into: immutable, and compared without positions.

``position`` is where a node starts in its text (0-based), for error messages; two
trees that differ only in positions (a formula and its printed form) are equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

#: What a literal holds: INT, FLOAT, STRING, BOOLEAN or null.
LiteralValue = int | float | str | bool | None

#: Parameters a formula may use, with the name they are written with after ``$``.
PARAMETERS: Final = ("asOf", "delayDays")
#: Functions, by lower-case name.
FUNCTIONS: Final = frozenset(
    {"if", "coalesce", "round", "days_between", "add_days", "now", "concat"}
)
#: Words of the grammar (case-insensitive); a property with one of these names is
#: written in braces, e.g. ``{end}``.
KEYWORDS: Final = frozenset(
    {"and", "or", "not", "is", "null", "true", "false", "case", "when", "then", "else", "end"}
)
ARITHMETIC: Final = frozenset({"+", "-", "*", "/"})
COMPARISONS: Final = frozenset({"=", "!=", "<", "<=", ">", ">="})
LOGICAL: Final = frozenset({"AND", "OR"})
CONCAT: Final = "||"


@dataclass(frozen=True, slots=True)
class Literal:
    value: LiteralValue
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Ref:
    """The entity's own property (or system field) ``name``."""

    name: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Param:
    """``$asOf`` or ``$delayDays``: given by whoever evaluates (an impact report)."""

    name: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Unary:
    """``-x`` or ``NOT x``."""

    op: str
    operand: Expr
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Binary:
    """Arithmetic, ``||``, a comparison, ``AND`` or ``OR``."""

    op: str
    left: Expr
    right: Expr
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class IsNull:
    operand: Expr
    negated: bool = False
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Case:
    """``CASE WHEN c THEN v … [ELSE o] END``; without ELSE the value is null."""

    whens: tuple[tuple[Expr, Expr], ...]
    otherwise: Expr | None
    position: int = field(default=0, compare=False)


Expr = Literal | Ref | Param | Unary | Binary | IsNull | Call | Case


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``node``, left to right."""
    if isinstance(node, Unary | IsNull):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Case):
        parts = [part for pair in node.whens for part in pair]
        return (*parts, node.otherwise) if node.otherwise is not None else tuple(parts)
    return ()


def walk(node: Expr) -> list[Expr]:
    """Every node of the tree, ``node`` first (iterative: safe on any depth).

    >>> [type(n).__name__ for n in walk(Binary("+", Ref("a"), Literal(1)))]
    ['Binary', 'Ref', 'Literal']
    """
    found: list[Expr] = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(children(current)))
    return found


def references(node: Expr) -> frozenset[str]:
    """The properties ``node`` reads."""
    return frozenset(n.name for n in walk(node) if isinstance(n, Ref))


def parameters(node: Expr) -> frozenset[str]:
    """The parameters ``node`` uses; ``now`` counts as one (its value is the clock's)."""
    used = {n.name for n in walk(node) if isinstance(n, Param)}
    if any(isinstance(n, Call) and n.name == "now" for n in walk(node)):
        used.add("now")
    return frozenset(used)
