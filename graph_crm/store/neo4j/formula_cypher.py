"""A checked formula as a Cypher expression over one node (pure, no IO).

The reference is :mod:`graph_crm.model.formula.evaluate`; each node is said as the
Cypher column of docs/formulas.md's table says. Property names go through
:func:`~graph_crm.store.neo4j.compile.field_ref` (the registry's pattern, quoted); every
value — literals, ``$asOf``, ``$delayDays``, the constants the translation needs — is a
parameter. What the evaluator refuses to compute (an INT outside 64 bits, a FLOAT that
is not finite, a string past the longest STRING, a date outside years 1-9999) fails the
statement too (Cypher raises, or a guard divides by zero), and the caller reports it as
:class:`~graph_crm.model.formula.EvaluationFailed`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from graph_crm.errors import InvalidInput
from graph_crm.model.formula import EvaluationFailed, Formula, Parameters, check_expression
from graph_crm.model.formula.nodes import Binary, Call, Case, Expr, IsNull, Literal, Param, Ref
from graph_crm.model.types import PropertyKind
from graph_crm.model.values import MAX_STRING_LENGTH
from graph_crm.store.neo4j.compile import Params, field_ref

K = PropertyKind
_COMPARE: Final = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_LARGEST_FLOAT: Final = 1.7976931348623157e308


def formula_condition(
    formula: Formula, variable: str, params: Params, parameters: Parameters
) -> str:
    """``formula`` (a BOOLEAN) over the node ``variable``: true where the evaluator says
    true (a null condition, like false, keeps nothing in a ``WHERE``)."""
    return _Compiler(formula, variable, params, parameters).expr(formula.tree)


class _Compiler:
    def __init__(
        self, formula: Formula, variable: str, params: Params, parameters: Parameters
    ) -> None:
        self.formula = formula
        self.variable = variable
        self.params = params
        self.parameters = parameters
        self.kinds: dict[int, PropertyKind | None] = {}
        self.bound = 0

    def kind(self, node: Expr) -> PropertyKind | None:
        if id(node) not in self.kinds:
            found = check_expression(node, self.formula.kinds, self.formula.owner)
            self.kinds[id(node)] = K.STRING if found is K.ENUM else found
        return self.kinds[id(node)]

    def value(self, value: object) -> str:
        return self.params.add(value)

    def let(self, text: str, body: Callable[[str], str]) -> str:
        """``body`` over ``text`` evaluated once (a one-element list comprehension)."""
        self.bound += 1
        name = f"f{self.bound}_{self.variable}"
        return f"[{name} IN [{text}] | {body(name)}][0]"

    def fail_when(self, text: str, condition: Callable[[str], str]) -> str:
        """``text``, unless ``condition`` holds for it: then an integer division by zero
        stops the statement (Cypher has no raise)."""
        one, zero = self.value(1), self.value(0)
        return self.let(
            text, lambda v: f"CASE WHEN {condition(v)} THEN {one} / {zero} ELSE {v} END"
        )

    def finite(self, text: str) -> str:
        largest = self.value(_LARGEST_FLOAT)
        return self.fail_when(text, lambda v: f"NOT (abs({v}) <= {largest})")

    def as_kind(self, node: Expr, wanted: PropertyKind | None) -> str:
        """``node``, as a FLOAT where INT and FLOAT alternatives meet."""
        text = self.expr(node)
        if wanted is K.FLOAT and self.kind(node) is K.INT:
            return f"toFloat({text})"
        return text

    def moment(self, node: Expr, other: Expr) -> str:
        """``node``; a DATE meeting a DATETIME is the start of its day, UTC."""
        text = self.expr(node)
        if self.kind(node) is K.DATE and self.kind(other) is K.DATETIME:
            # an offset, not the zone name 'UTC': Neo4j orders datetimes of one instant
            # by their zone, so a 'UTC' one would not equal the same instant stored or
            # passed with the offset Z (as every DATETIME here is)
            utc = self.value("+00:00")
            return self.let(
                text,
                lambda v: (
                    f"CASE WHEN {v} IS NULL THEN null "
                    f"ELSE datetime({{date: {v}, timezone: {utc}}}) END"
                ),
            )
        return text

    def expr(self, node: Expr) -> str:
        if isinstance(node, Literal):
            return self.value(node.value)
        if isinstance(node, Ref):
            return field_ref(self.variable, node.name)
        if isinstance(node, Param):
            given = self.parameters.as_of if node.name == "asOf" else self.parameters.delay_days
            if given is None:
                raise EvaluationFailed(f"this formula uses ${node.name}, which is not given here")
            return self.value(given)
        if isinstance(node, IsNull):
            return f"({self.expr(node.operand)} IS {'NOT ' if node.negated else ''}NULL)"
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Case):
            kind = self.kind(node)
            whens = " ".join(
                f"WHEN {self.expr(condition)} THEN {self.as_kind(result, kind)}"
                for condition, result in node.whens
            )
            otherwise = (
                "" if node.otherwise is None else f" ELSE {self.as_kind(node.otherwise, kind)}"
            )
            return f"(CASE {whens}{otherwise} END)"
        operand = self.expr(node.operand)
        if node.op == "NOT":
            return f"(NOT {operand})"
        if self.kind(node.operand) is K.INT:
            return f"({self.value(0)} - {operand})"  # Cypher raises on a long overflow
        return f"(-{operand})"

    def binary(self, node: Binary) -> str:
        op = node.op
        if op in ("AND", "OR"):
            return f"({self.expr(node.left)} {op} {self.expr(node.right)})"
        if op in _COMPARE:
            left, right = self.moment(node.left, node.right), self.moment(node.right, node.left)
            return f"({left} {_COMPARE[op]} {right})"
        left, right = self.expr(node.left), self.expr(node.right)
        if op == "||":
            return self.text(f"({left} || {right})")
        if op == "/":
            zero = self.value(0)
            quotient = self.let(
                right, lambda b: f"CASE WHEN {b} = {zero} THEN null ELSE toFloat({left}) / {b} END"
            )
            return self.finite(quotient)
        result = f"({left} {op} {right})"
        return self.finite(result) if self.kind(node) is K.FLOAT else result

    def text(self, text: str) -> str:
        longest = self.value(MAX_STRING_LENGTH)
        return self.fail_when(text, lambda v: f"size({v}) > {longest}")

    def call(self, node: Call) -> str:
        name, args, kind = node.name, node.args, self.kind(node)
        if name == "if":
            condition = self.expr(args[0])
            chosen, other = self.as_kind(args[1], kind), self.as_kind(args[2], kind)
            return f"(CASE WHEN {condition} THEN {chosen} ELSE {other} END)"
        if name == "coalesce":
            return "coalesce(" + ", ".join(self.as_kind(arg, kind) for arg in args) + ")"
        if name == "concat":
            return self.text("(" + " || ".join(self.expr(arg) for arg in args) + ")")
        if name == "round":
            if kind is K.INT:
                return self.expr(args[0])  # an INT rounds to itself
            digits = args[1].value if len(args) == 2 and isinstance(args[1], Literal) else 0
            mode = self.value("HALF_UP")
            return f"round({self.expr(args[0])}, {self.value(digits)}, {mode})"
        if name == "days_between":
            start, end = self.moment(args[0], args[1]), self.moment(args[1], args[0])
            return f"duration.inDays({start}, {end}).days"
        if name == "add_days":
            moment = self.expr(args[0])
            return self.let(
                self.expr(args[1]),
                lambda n: (
                    f"CASE WHEN {n} IS NULL THEN null ELSE {moment} + duration({{days: {n}}}) END"
                ),
            )
        # now() is refused in a policy's conditions (graph_crm.impact.policy_where)
        raise InvalidInput(f"{name}() has no Cypher form in a condition", path=())
