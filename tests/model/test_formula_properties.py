"""Property tests: random well-typed trees print into text that parses back into them,
type-check to the kind they were built for, and evaluate to a value of that kind (or fail
as :class:`EvaluationFailed`, never with any other exception)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_crm.model.formula import (
    EvaluationFailed,
    FormulaProblem,
    Parameters,
    compile_formula,
    evaluate_formula,
    parse_formula,
    render,
)
from graph_crm.model.formula.check import check_expression
from graph_crm.model.formula.nodes import (
    Expr,
)
from graph_crm.model.types import PropertyKind as K
from tests.model.formula_trees import KINDS, entity, moments, typed

PYTHON_TYPES: dict[K, tuple[type, ...]] = {
    K.INT: (int,),
    K.FLOAT: (float,),
    K.STRING: (str,),
    K.BOOLEAN: (bool,),
    K.DATE: (date,),
    K.DATETIME: (datetime,),
}


def fits(kind: K | None, built_as: K) -> bool:
    return kind in (built_as, None) or (built_as is K.FLOAT and kind is K.INT)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(typed)
def test_printing_a_tree_and_parsing_the_text_gives_the_same_tree(case: tuple[K, Expr]) -> None:
    _, tree = case
    text = render(tree)
    assert parse_formula(text) == tree
    assert render(parse_formula(text)) == text


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(typed, entity, moments, st.integers(0, 100), moments)
def test_well_typed_trees_evaluate_to_a_value_of_their_kind(
    case: tuple[K, Expr], values: dict[str, Any], as_of: datetime, delay: int, now: datetime
) -> None:
    built_as, tree = case
    kind = check_expression(tree, KINDS, "Thing")
    assert fits(kind, built_as)
    if kind is None:
        return
    formula = compile_formula(render(tree), KINDS, "Thing")
    try:
        result = evaluate_formula(formula, values, Parameters(as_of, delay, now))
    except EvaluationFailed:
        return  # e.g. an INT product past 64 bits: refused the same way everywhere
    if result is not None:
        assert isinstance(result, PYTHON_TYPES[kind])
        assert not isinstance(result, bool) or kind is K.BOOLEAN
        assert not isinstance(result, datetime) or kind is K.DATETIME


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_as_a_formula_problem(text: str) -> None:
    refused: FormulaProblem | None = None
    try:
        parse_formula(text)
    except FormulaProblem as problem:
        refused = problem
    assert refused is None or 0 <= refused.position <= len(text)
