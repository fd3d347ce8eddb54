"""Random well-typed formula trees and entities to evaluate them on (hypothesis
strategies shared by the formula property tests and the stores' differential test)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import strategies as st

from graph_crm.model.formula.nodes import (
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
from graph_crm.model.types import PropertyKind as K

KINDS = {
    "n1": K.INT,
    "n2": K.INT,
    "x1": K.FLOAT,
    "x2": K.FLOAT,
    "s1": K.STRING,
    "s2": K.ENUM,
    "b1": K.BOOLEAN,
    "d1": K.DATE,
    "d2": K.DATE,
    "t1": K.DATETIME,
    "end": K.DATETIME,  # a keyword: printed in braces
}
SCALAR = [K.INT, K.FLOAT, K.STRING, K.BOOLEAN, K.DATE, K.DATETIME]
NUMBER = [K.INT, K.FLOAT]
MOMENT = [K.DATE, K.DATETIME]

small_ints = st.integers(-100, 100)
# mostly everyday numbers, sometimes any finite float (rounding 1e300 must work too)
floats = st.floats(-100, 100) | st.floats(allow_nan=False, allow_infinity=False)
texts = st.text(st.characters(blacklist_characters="\x00"), max_size=8)
moments = st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC))


def refs(kind: K) -> list[Ref]:
    return [Ref(name) for name, k in KINDS.items() if (K.STRING if k is K.ENUM else k) is kind]


def leaf(kind: K, stored: bool = False) -> st.SearchStrategy[Expr]:
    options: list[st.SearchStrategy[Expr]] = [st.sampled_from(refs(kind)), st.just(Literal(None))]
    literal: st.SearchStrategy[Any] | None = {
        K.INT: small_ints,
        K.FLOAT: floats,
        K.STRING: texts,
        K.BOOLEAN: st.booleans(),
    }.get(kind)
    if literal is not None:
        options.append(literal.map(lambda value: Literal(value)))
    if stored:
        return st.one_of(options)  # a stored formula uses no parameter and no clock
    if kind is K.INT:
        options.append(st.just(Param("delayDays")))
    if kind is K.DATETIME:
        options += [st.just(Param("asOf")), st.just(Call("now", ()))]
    return st.one_of(options)


def days(stored: bool = False) -> st.SearchStrategy[Expr]:
    """A whole number of days small enough for add_days to stay within years 1-9999."""
    if stored:
        return st.one_of(small_ints.map(Literal), st.just(Ref("n1")))
    return st.one_of(small_ints.map(Literal), st.just(Param("delayDays")), st.just(Ref("n1")))


@st.composite
def expression(draw: st.DrawFn, kind: K, depth: int = 3, stored: bool = False) -> Expr:
    """A tree of ``kind``; ``stored``: without ``$asOf``, ``$delayDays`` and ``now()``."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(leaf(kind, stored))
    sub = depth - 1

    def of(k: K) -> Expr:
        return draw(expression(k, sub, stored))

    choices: list[str] = ["if", "coalesce", "case"]
    if kind in NUMBER:
        choices += ["arithmetic", "negate", "round"]
    if kind is K.FLOAT:
        choices += ["divide"]
    if kind is K.INT:
        choices += ["days_between"]
    if kind is K.STRING:
        choices += ["||", "concat"]
    if kind is K.BOOLEAN:
        choices += ["compare", "logic", "not", "is_null"]
    if kind in MOMENT:
        choices += ["add_days"]
    match draw(st.sampled_from(choices)):
        case "if":
            return Call("if", (of(K.BOOLEAN), of(kind), of(kind)))
        case "coalesce":
            return Call("coalesce", tuple(of(kind) for _ in range(draw(st.integers(1, 3)))))
        case "case":
            whens = tuple((of(K.BOOLEAN), of(kind)) for _ in range(draw(st.integers(1, 2))))
            return Case(whens, draw(st.none() | expression(kind, sub, stored)))
        case "arithmetic":
            other = K.INT if kind is K.INT else draw(st.sampled_from(NUMBER))
            return Binary(draw(st.sampled_from("+-*")), of(kind), of(other))
        case "negate":
            return Unary("-", of(kind))
        case "round":
            digits = (Literal(draw(st.integers(0, 10))),) if draw(st.booleans()) else ()
            return Call("round", (of(kind), *digits))
        case "divide":
            return Binary("/", of(draw(st.sampled_from(NUMBER))), of(draw(st.sampled_from(NUMBER))))
        case "days_between":
            return Call(
                "days_between",
                (of(draw(st.sampled_from(MOMENT))), of(draw(st.sampled_from(MOMENT)))),
            )
        case "||":
            return Binary("||", of(K.STRING), of(K.STRING))
        case "concat":
            return Call("concat", tuple(of(K.STRING) for _ in range(draw(st.integers(1, 3)))))
        case "compare":
            compared = draw(st.sampled_from(SCALAR))
            ops = "= !=" if compared is K.BOOLEAN else "= != < <= > >="
            other = compared
            if compared in NUMBER:
                other = draw(st.sampled_from(NUMBER))
            elif compared in MOMENT:
                other = draw(st.sampled_from(MOMENT))
            return Binary(draw(st.sampled_from(ops.split())), of(compared), of(other))
        case "logic":
            return Binary(draw(st.sampled_from(["AND", "OR"])), of(K.BOOLEAN), of(K.BOOLEAN))
        case "not":
            return Unary("NOT", of(K.BOOLEAN))
        case "is_null":
            return IsNull(of(draw(st.sampled_from(SCALAR))), draw(st.booleans()))
    return Call("add_days", (of(kind), draw(days(stored))))


typed = st.sampled_from(SCALAR).flatmap(lambda kind: st.tuples(st.just(kind), expression(kind)))
entity = st.fixed_dictionaries(
    {},
    optional={
        "n1": small_ints,
        "n2": small_ints,
        "x1": floats,
        "x2": floats,
        "s1": texts,
        "s2": st.sampled_from(["OPEN", "SHIPPED"]),
        "b1": st.booleans(),
        "d1": st.dates(date(2020, 1, 1), date(2030, 1, 1)),
        "d2": st.dates(date(2020, 1, 1), date(2030, 1, 1)),
        "t1": moments,
        "end": moments,
    },
)
