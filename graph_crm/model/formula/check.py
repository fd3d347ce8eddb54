"""The kind of an expression over an entity type's properties, or where it goes wrong (pure).

Kinds are :class:`~graph_crm.model.types.PropertyKind`; ``None`` is the kind of a bare
``NULL``, which fits anywhere. ENUM values are read as STRING. JSON is opaque: only
``IS NULL`` applies to it. INT mixed with FLOAT gives FLOAT; ``/`` always gives FLOAT;
a DATE compares with a DATETIME as the start of its day (UTC); dates are subtracted
with ``days_between`` and moved with ``add_days``, never with ``-`` or ``+``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from graph_crm.errors import PathPart
from graph_crm.model.formula.nodes import (
    ARITHMETIC,
    Binary,
    Call,
    Case,
    Expr,
    IsNull,
    Literal,
    Param,
    Ref,
    Unary,
)
from graph_crm.model.formula.problems import FormulaProblem
from graph_crm.model.formula.render import render
from graph_crm.model.query.filters import SYSTEM_FIELDS
from graph_crm.model.types import PropertyKind, _TypeDefinition

Kind = PropertyKind | None

K = PropertyKind
NUMBERS: Final = frozenset({K.INT, K.FLOAT})
MOMENTS: Final = frozenset({K.DATE, K.DATETIME})
PARAMETER_KINDS: Final = {"asOf": K.DATETIME, "delayDays": K.INT}
MAX_ROUND_DIGITS: Final = 10
_ARITY: Final = {"if": (3, 3), "round": (1, 2), "days_between": (2, 2), "add_days": (2, 2)}
_ARITY_MORE: Final = {"now": (0, 0), "coalesce": (1, 100), "concat": (1, 100)}


def property_kinds(
    definition: _TypeDefinition, computed: Mapping[str, PropertyKind] | None = None
) -> dict[str, PropertyKind]:
    """What a formula on ``definition`` may read: its properties, the system fields and
    the kinds of its ``computed`` properties (already inferred)."""
    kinds = {name: spec.kind for name, spec in SYSTEM_FIELDS.items()}
    kinds.update({spec.name: spec.kind for spec in definition.properties})
    kinds.update(computed or {})
    return kinds


def check_expression(
    tree: Expr, kinds: Mapping[str, PropertyKind], owner: str, path: tuple[PathPart, ...] = ()
) -> Kind:
    """The kind of ``tree`` when its properties have ``kinds`` (``owner`` names their type).

    >>> from graph_crm.model.formula.parse import parse_formula
    >>> check_expression(parse_formula("quantity * 1.5"), {"quantity": K.INT}, "Line")
    <PropertyKind.FLOAT: 'FLOAT'>
    >>> check_expression(parse_formula("2 * quantity"), {"quantity": K.STRING}, "Line")
    Traceback (most recent call last):
    ...
    graph_crm.model.formula.problems.FormulaProblem: INVALID_INPUT: `quantity` is STRING; `*` needs numbers (character 5)
    """  # noqa: E501
    return _Checker(kinds, owner, path).kind(tree)


class _Checker:
    def __init__(
        self, kinds: Mapping[str, PropertyKind], owner: str, path: tuple[PathPart, ...]
    ) -> None:
        self.kinds = kinds
        self.owner = owner
        self.path = path

    def problem(self, message: str, node: Expr) -> FormulaProblem:
        return FormulaProblem(message, path=self.path, position=node.position)

    def wrong(self, node: Expr, kind: Kind, needs: str) -> FormulaProblem:
        shown = render(node)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        return self.problem(f"`{shown}` is {kind}; {needs}", node)

    def kind(self, node: Expr) -> Kind:
        if isinstance(node, Literal):
            return _literal_kind(node)
        if isinstance(node, Ref):
            found = self.kinds.get(node.name)
            if found is None:
                raise self.problem(f"{self.owner} has no property `{node.name}`", node)
            return K.STRING if found is K.ENUM else found
        if isinstance(node, Param):
            return PARAMETER_KINDS[node.name]
        if isinstance(node, IsNull):
            self.kind(node.operand)
            return K.BOOLEAN
        if isinstance(node, Unary):
            operand = self.kind(node.operand)
            if node.op == "NOT":
                return self.need(node.operand, operand, {K.BOOLEAN}, "NOT needs a BOOLEAN")
            return self.need(node.operand, operand, NUMBERS, "`-` needs a number")
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        return self.case(node)

    def need(self, node: Expr, kind: Kind, allowed: Iterable[PropertyKind], needs: str) -> Kind:
        if kind is not None and kind not in allowed:
            raise self.wrong(node, kind, needs)
        return kind

    def binary(self, node: Binary) -> Kind:
        left, right = self.kind(node.left), self.kind(node.right)
        op = node.op
        if op in ARITHMETIC:
            hint = (
                ": count days with days_between(a, b), move a date with add_days(d, n)"
                if left in MOMENTS or right in MOMENTS
                else ""
            )
            self.need(node.left, left, NUMBERS, f"`{op}` needs numbers{hint}")
            self.need(node.right, right, NUMBERS, f"`{op}` needs numbers{hint}")
            if op == "/":
                return K.FLOAT
            return _unify_numbers(left, right)
        if op == "||":
            self.need(node.left, left, {K.STRING}, "`||` needs strings")
            self.need(node.right, right, {K.STRING}, "`||` needs strings")
            return K.STRING
        if op in ("AND", "OR"):
            self.need(node.left, left, {K.BOOLEAN}, f"{op} needs BOOLEANs")
            self.need(node.right, right, {K.BOOLEAN}, f"{op} needs BOOLEANs")
            return K.BOOLEAN
        return self.comparison(node, left, right)

    def comparison(self, node: Binary, left: Kind, right: Kind) -> Kind:
        for side, kind in ((node.left, left), (node.right, right)):
            if kind is K.JSON:
                raise self.wrong(side, kind, "a JSON value only takes IS NULL")
            if kind is K.BOOLEAN and node.op not in ("=", "!="):
                raise self.wrong(side, kind, f"`{node.op}` does not order BOOLEANs")
        if left is None or right is None or _family(left) == _family(right):
            return K.BOOLEAN
        raise self.problem(
            f"`{node.op}` compares {left} with {right}: compare values of one kind", node
        )

    def call(self, node: Call) -> Kind:
        low, high = _ARITY.get(node.name) or _ARITY_MORE[node.name]
        if not low <= len(node.args) <= high:
            wanted = f"{low}" if low == high else f"{low} to {high}"
            raise self.problem(
                f"{node.name} takes {wanted} argument(s), not {len(node.args)}", node
            )
        kinds = [self.kind(arg) for arg in node.args]
        args = node.args
        match node.name:
            case "now":
                return K.DATETIME
            case "if":
                self.need(args[0], kinds[0], {K.BOOLEAN}, "if's condition needs a BOOLEAN")
                return self.unify(node, args[1:], kinds[1:])
            case "coalesce":
                return self.unify(node, args, kinds)
            case "concat":
                for arg, kind in zip(args, kinds, strict=True):
                    self.need(arg, kind, {K.STRING}, "concat needs strings")
                return K.STRING
            case "round":
                self.need(args[0], kinds[0], NUMBERS, "round needs a number")
                if len(args) == 2:
                    self.digits(args[1])
                return kinds[0]
            case "days_between":
                for arg, kind in zip(args, kinds, strict=True):
                    self.need(arg, kind, MOMENTS, "days_between needs DATEs or DATETIMEs")
                return K.INT
        self.need(args[0], kinds[0], MOMENTS, "add_days needs a DATE or a DATETIME")
        self.need(args[1], kinds[1], {K.INT}, "add_days needs a whole number of days")
        return kinds[0]

    def digits(self, node: Expr) -> None:
        value = node.value if isinstance(node, Literal) else None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.problem("round's digits are a whole number written out, e.g. 2", node)
        if not 0 <= value <= MAX_ROUND_DIGITS:
            raise self.problem(f"round keeps 0 to {MAX_ROUND_DIGITS} digits", node)

    def case(self, node: Case) -> Kind:
        values: list[Expr] = []
        for condition, value in node.whens:
            kind = self.kind(condition)
            self.need(condition, kind, {K.BOOLEAN}, "WHEN needs a BOOLEAN")
            values.append(value)
        if node.otherwise is not None:
            values.append(node.otherwise)
        return self.unify(node, values, [self.kind(value) for value in values])

    def unify(self, node: Expr, values: Iterable[Expr], kinds: list[Kind]) -> Kind:
        """One kind for the alternatives of ``if``, ``coalesce`` or ``CASE``."""
        found = {kind for kind in kinds if kind is not None}
        if not found:
            return None
        if len(found) == 1:
            return found.pop()
        if found <= NUMBERS:
            return K.FLOAT
        first = next(kind for kind in kinds if kind is not None)
        for value, kind in zip(values, kinds, strict=True):
            if kind is not None and kind is not first:
                raise self.wrong(value, kind, f"the other alternatives are {first}")
        raise AssertionError(found)  # pragma: no cover


def _literal_kind(node: Literal) -> Kind:
    value = node.value
    if value is None:
        return None
    if isinstance(value, bool):
        return K.BOOLEAN
    if isinstance(value, int):
        return K.INT
    return K.FLOAT if isinstance(value, float) else K.STRING


def _family(kind: PropertyKind) -> str:
    if kind in NUMBERS:
        return "number"
    return "moment" if kind in MOMENTS else kind.value


def _unify_numbers(left: Kind, right: Kind) -> Kind:
    if left is None or right is None:
        return left or right
    return K.INT if left is right is K.INT else K.FLOAT
