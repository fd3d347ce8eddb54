"""A checked formula: its text, tree and kind, and what it reads (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graph_crm.errors import PathPart
from graph_crm.model.formula.check import check_expression
from graph_crm.model.formula.nodes import Expr, parameters, references
from graph_crm.model.formula.parse import parse_formula
from graph_crm.model.formula.problems import FormulaProblem
from graph_crm.model.types import PropertyKind


@dataclass(frozen=True)
class Formula:
    """``text`` parsed and typed over properties of ``kinds`` (those of ``owner``)."""

    text: str
    tree: Expr
    kind: PropertyKind
    owner: str
    kinds: Mapping[str, PropertyKind] = field(repr=False, compare=False)
    #: The kinds of its nodes as the evaluator asks for them, by ``id`` (the tree is this
    #: formula's and lives as long as it): worked out once, not on every evaluation.
    node_kinds: dict[int, PropertyKind | None] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def references(self) -> frozenset[str]:
        """The properties it reads."""
        return references(self.tree)

    @property
    def parameters(self) -> frozenset[str]:
        """``asOf``, ``delayDays`` and ``now`` if it uses them: a formula that uses one
        has no value of its own, only one at a time given by its reader."""
        return parameters(self.tree)


def compile_formula(
    text: str,
    kinds: Mapping[str, PropertyKind],
    owner: str,
    path: tuple[PathPart, ...] = (),
) -> Formula:
    """Parse and type ``text``; its kind may not be a bare NULL.

    >>> compile_formula("unitPrice * quantity", {"unitPrice": PropertyKind.FLOAT,
    ...     "quantity": PropertyKind.INT}, "OrderLine").kind
    <PropertyKind.FLOAT: 'FLOAT'>
    """
    tree = parse_formula(text, path)
    kind = check_expression(tree, kinds, owner, path)
    if kind is None:
        raise FormulaProblem("this formula is always NULL", path=path, position=tree.position)
    if kind is PropertyKind.JSON:
        raise FormulaProblem("a formula cannot give a JSON value", path=path, position=0)
    return Formula(text, tree, kind, owner, dict(kinds))
