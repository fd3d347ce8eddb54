"""Rollups as stored computed properties (pure): what a store may keep current, and the
value it stores for an owner from the far entities its path reaches.

A stored rollup is kept current by the store in every write's transaction
(docs/formulas.md). So, like a stored formula, it must have a value of its own: a
``where`` that uses ``now()``, ``$asOf`` or ``$delayDays`` is refused (such conditions
belong in an impact policy). For now a stored rollup's ``where`` tests the far entity's
own properties only (no relation quantifiers, no ``createdAt``/``updatedAt``), and a
rollup does not aggregate another rollup (nor a formula that reads one). A formula may
read its own entity's rollups: the store works it out after them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from graph_crm.errors import InvalidInput, PathPart
from graph_crm.model.formula.evaluate import evaluate_formula
from graph_crm.model.formula.formula import Formula
from graph_crm.model.formula.rollup import Rollup, aggregate_values
from graph_crm.model.query import Filter
from graph_crm.model.query.evaluation import evaluate
from graph_crm.model.query.filters import All, AnyOf, Compare, Not, Related

_WRITE_TIMES: Final = frozenset({"createdAt", "updatedAt"})


@dataclass(frozen=True)
class StoredRollup:
    """A checked rollup stored as ``owner``'s property ``name``; ``types`` are the entity
    types along its path, the owner's first and the far type last."""

    name: str
    rollup: Rollup
    types: tuple[str, ...]

    @property
    def owner(self) -> str:
        return self.rollup.owner


def path_types(rollup: Rollup, middle: str | None) -> tuple[str, ...]:
    """The entity types along ``rollup``'s path (``middle``: the type after one hop of a
    two-hop path)."""
    if len(rollup.hops) == 1:
        return (rollup.owner, rollup.far_type)
    assert middle is not None
    return (rollup.owner, middle, rollup.far_type)


def check_stored_rollup(
    rollup: Rollup,
    path: tuple[PathPart, ...],
    rollups: Mapping[str, Iterable[str]],
) -> None:
    """Refuse what a store cannot keep current; ``rollups`` names each type's rollups."""
    where = (*path, "where")
    if isinstance(rollup.where, Formula):
        refuse_parameters(rollup.where, "a rollup is stored, so its where", where)
        read = set(rollup.where.references)
    elif rollup.where is not None:
        if any(isinstance(part, Related) for part in _parts(rollup.where)):
            raise InvalidInput(
                "a stored rollup's where tests the far entity's own properties: relation "
                "filters are not supported there yet",
                path=where,
            )
        read = {part.field for part in _parts(rollup.where) if isinstance(part, Compare)}
    else:
        read = set()
    times = sorted(read & _WRITE_TIMES)
    if times:
        raise InvalidInput(
            f"a stored rollup's where cannot read {', '.join(times)} yet", path=where
        )
    far_rollups = set(rollups.get(rollup.far_type, ()))
    aggregated = {rollup.property} if rollup.property is not None else set()
    nested = sorted((aggregated | read) & far_rollups)
    if nested:
        raise InvalidInput(
            f"{rollup.far_type}.{nested[0]} is a rollup or reads one: a rollup over another "
            "rollup is not stored yet",
            path=(*path, "property") if rollup.property in far_rollups else where,
        )


def refuse_parameters(formula: Formula, what: str, path: tuple[PathPart, ...]) -> None:
    """Refuse ``formula`` if it uses ``now()``, ``$asOf`` or ``$delayDays``: ``what``
    (stored) cannot."""
    used = sorted(formula.parameters)
    if used:
        shown = ", ".join("now()" if p == "now" else f"${p}" for p in used)
        raise InvalidInput(
            f"{what} cannot use {shown}: its value would depend on when it is read; "
            "conditions relative to a report's time belong in an impact policy, which "
            "may use $asOf",
            path=path,
        )


def _parts(flt: Filter) -> Iterator[Filter]:
    yield flt
    if isinstance(flt, All | AnyOf):
        for inner in flt.filters:
            yield from _parts(inner)
    elif isinstance(flt, Not):
        yield from _parts(flt.filter)


def _no_relations(related: Related) -> bool:
    raise AssertionError("stored rollups' filters have no relation quantifiers")


def rollup_value(rollup: Rollup, far: Iterable[Mapping[str, Any]]) -> Any:
    """The stored value of ``rollup`` on an owner, from the fields (``key`` included) of
    each distinct far entity its path reaches: those that pass ``where``, aggregated
    (:func:`~graph_crm.model.formula.rollup.aggregate_values`).

    >>> from graph_crm.model.direction import Direction
    >>> from graph_crm.model.formula.rollup import Aggregate, Hop
    >>> from graph_crm.model.types import PropertyKind
    >>> total = Rollup(Aggregate.SUM, (Hop("HAS_LINE", Direction.OUT),), "Order",
    ...     "OrderLine", "lineTotal", None, PropertyKind.FLOAT)
    >>> rollup_value(total, [{"lineTotal": 2.5}, {"lineTotal": 1.0}, {}])
    3.5
    """
    where, name = rollup.where, rollup.property

    def passes(fields: Mapping[str, Any]) -> bool:
        if where is None:
            return True
        if isinstance(where, Formula):
            return evaluate_formula(where, fields) is True
        return evaluate(where, fields, _no_relations) is True

    return aggregate_values(
        rollup, (True if name is None else f.get(name) for f in far if passes(f))
    )


__all__ = [
    "StoredRollup",
    "check_stored_rollup",
    "path_types",
    "refuse_parameters",
    "rollup_value",
]
