"""Computed properties' pure core: a small expression grammar (docs/formulas.md), its
type checker, rollups over relations, and the reference evaluator every backend must
agree with.

The parts: :mod:`.tokens` and :mod:`.parse` (text to tree), :mod:`.nodes` (the tree),
:mod:`.render` (tree to text), :mod:`.check` (kinds), :mod:`.formula` (a checked formula),
:mod:`.evaluate` (its value), :mod:`.rollup` (aggregates over relations) and
:mod:`.computed` (all of a registry's computed properties, with their dependencies) and
:mod:`.guard` (the registry validator that keeps them valid).
"""

from graph_crm.model.formula.check import check_expression, property_kinds
from graph_crm.model.formula.computed import Computed, check_computed, find_cycle
from graph_crm.model.formula.evaluate import Parameters, evaluate_formula
from graph_crm.model.formula.formula import Formula, compile_formula
from graph_crm.model.formula.guard import computed_validator
from graph_crm.model.formula.parse import MAX_DEPTH, MAX_NESTING, MAX_NODES, parse_formula
from graph_crm.model.formula.problems import EvaluationFailed, FormulaProblem
from graph_crm.model.formula.render import render
from graph_crm.model.formula.rollup import (
    Aggregate,
    Hop,
    Rollup,
    aggregate_values,
    check_rollup,
    evaluate_rollup,
)
from graph_crm.model.formula.tokens import MAX_FORMULA_LENGTH

__all__ = [
    "MAX_DEPTH",
    "MAX_FORMULA_LENGTH",
    "MAX_NESTING",
    "MAX_NODES",
    "Aggregate",
    "Computed",
    "EvaluationFailed",
    "Formula",
    "FormulaProblem",
    "Hop",
    "Parameters",
    "Rollup",
    "aggregate_values",
    "check_computed",
    "check_expression",
    "check_rollup",
    "compile_formula",
    "computed_validator",
    "evaluate_formula",
    "evaluate_rollup",
    "find_cycle",
    "parse_formula",
    "property_kinds",
    "render",
]
