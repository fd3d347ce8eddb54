"""An expression tree back into formula text that parses into the same tree (pure).

Brackets only where precedence needs them; keywords in capitals; functions in small
letters; a property whose name is a keyword in braces (``{end}``).
"""

from __future__ import annotations

from typing import Final

from graph_crm.model.formula.nodes import (
    KEYWORDS,
    Binary,
    Call,
    Expr,
    IsNull,
    Literal,
    Param,
    Ref,
    Unary,
)

_BINARY: Final = {
    "OR": 1,
    "AND": 2,
    **dict.fromkeys(("=", "!=", "<", "<=", ">", ">="), 4),
    "||": 5,
    "+": 6,
    "-": 6,
    "*": 7,
    "/": 7,
}
_NOT: Final = 3
_COMPARISON: Final = 4
_UNARY: Final = 8
_ATOM: Final = 9


def render(node: Expr) -> str:
    """Formula text for ``node``.

    >>> from graph_crm.model.formula.parse import parse_formula
    >>> render(parse_formula("a*(b+ -1)  or not x is null"))
    'a * (b + -1) OR NOT x IS NULL'
    """
    return _text(node)


def _precedence(node: Expr) -> int:
    if isinstance(node, Binary):
        return _BINARY[node.op]
    if isinstance(node, Unary):
        return _NOT if node.op == "NOT" else _UNARY
    if isinstance(node, IsNull):
        return _COMPARISON
    if isinstance(node, Literal) and _is_number(node.value) and node.value < 0:  # type: ignore[operator]
        return _UNARY  # written with a minus sign
    return _ATOM


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _wrapped(node: Expr, minimum: int) -> str:
    """``node``'s text, bracketed if it binds less tightly than ``minimum``."""
    text = _text(node)
    return f"({text})" if _precedence(node) < minimum else text


def _text(node: Expr) -> str:
    if isinstance(node, Literal):
        return _literal(node)
    if isinstance(node, Ref):
        return f"{{{node.name}}}" if node.name.lower() in KEYWORDS else node.name
    if isinstance(node, Param):
        return f"${node.name}"
    if isinstance(node, Unary):
        if node.op == "NOT":
            return f"NOT {_wrapped(node.operand, _NOT)}"
        operand = node.operand
        # -(2) stays a negation of a literal; -2 would parse as the literal -2.
        if isinstance(operand, Literal) and _is_number(operand.value):
            return f"-({_text(operand)})"
        inner = _wrapped(operand, _UNARY)
        return f"- {inner}" if inner.startswith("-") else f"-{inner}"
    if isinstance(node, IsNull):
        return f"{_wrapped(node.operand, _COMPARISON + 1)} IS {'NOT ' if node.negated else ''}NULL"
    if isinstance(node, Binary):
        level = _BINARY[node.op]
        # Left-associative: a right operand at the same level needs brackets; comparisons
        # do not chain, so neither of their operands may be one.
        left_min = level + 1 if level == _COMPARISON else level
        return f"{_wrapped(node.left, left_min)} {node.op} {_wrapped(node.right, level + 1)}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_text(arg) for arg in node.args)})"
    whens = " ".join(f"WHEN {_text(c)} THEN {_text(v)}" for c, v in node.whens)
    otherwise = f" ELSE {_text(node.otherwise)}" if node.otherwise is not None else ""
    return f"CASE {whens}{otherwise} END"


def _literal(node: Literal) -> str:
    value = node.value
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, float):
        text = repr(value)
        return text if any(c in text for c in ".e") else text + ".0"
    return str(value)
