"""What can change an impact policy's report: its footprint in the registry (pure).

A report reads the entity types along the policy's path (source, each step's landing
type, the roll-up's, the linked SLA and complaint types), the relation types it follows,
and some properties of those types: the steps' and signals' ``where`` (filters and
formulas, their relation quantifiers included), the SLA, exposure and complaint-date
properties. A computed property read counts what it is computed from: a formula's
references on its own type, a stored rollup's path (relations, types, the far
property and its ``where``), transitively.

So a write (:class:`~graph_crm.model.write_summary.WriteSummary`) can change the
report only if it created or deleted an entity of a footprint type, changed a property
the footprint reads (``updatedAt`` counts any change of its type), linked or unlinked a
footprint relation, or changed the policy itself. Everything else leaves it as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from graph_crm.impact.plan import ImpactPlan, StepProperty
from graph_crm.impact.policy import compile_policy
from graph_crm.model.formula import Formula
from graph_crm.model.formula.stored import Materialized, materialized
from graph_crm.model.query import Filter
from graph_crm.model.query.filters import All, AnyOf, Compare, Not, Related
from graph_crm.model.registry import Registry
from graph_crm.model.write_summary import UPDATED_AT, WriteSummary

_CACHE_SIZE: Final = 4


@dataclass(frozen=True)
class Footprint:
    """Policy ``policy`` (of source type ``source_type``): the properties it reads, by
    entity type (every type on its paths, maybe with none read), and the relation types
    it follows."""

    policy: str
    source_type: str
    entities: dict[str, frozenset[str]]
    relations: frozenset[str]

    def touched_by(self, summary: WriteSummary) -> tuple[str, ...]:
        """What of ``summary`` can change the report (its names, see ``WriteSummary.names``);
        empty: nothing can."""
        hits: list[str] = []
        for type_name, changed in sorted(summary.entities.items()):
            read = self.entities.get(type_name)
            if read is None:
                continue
            if changed is None:
                hits.append(type_name)
            elif UPDATED_AT in read and changed:
                hits.append(f"{type_name}.{UPDATED_AT}")
            else:
                hits.extend(f"{type_name}.{prop}" for prop in sorted(changed & read))
        hits.extend(sorted(summary.relations & self.relations))
        if self.policy in summary.policies:
            hits.append(f"policy {self.policy}")
        return tuple(hits)


@dataclass
class _Reads:
    computed: Materialized
    entities: dict[str, set[str]] = field(default_factory=dict)
    relations: set[str] = field(default_factory=set)

    def type(self, type_name: str) -> None:
        self.entities.setdefault(type_name, set())

    def properties(self, type_name: str, names: Iterable[str]) -> None:
        read = self.entities.setdefault(type_name, set())
        for name in names:
            if name in read:
                continue
            read.add(name)
            self._computed_from(type_name, name)

    def relation(self, relation: str, far_type: str) -> None:
        self.relations.add(relation)
        self.type(far_type)

    def where(self, type_name: str, where: Filter | Formula | None) -> None:
        if isinstance(where, Formula):
            self.properties(type_name, where.references)
        elif isinstance(where, Compare):
            self.properties(type_name, (where.field,))
        elif isinstance(where, All | AnyOf):
            for part in where.filters:
                self.where(type_name, part)
        elif isinstance(where, Not):
            self.where(type_name, where.filter)
        elif isinstance(where, Related):
            self.relation(where.relation, where.far_type)
            self.where(where.far_type, where.filter)

    def _computed_from(self, type_name: str, name: str) -> None:
        for formulas in (self.computed.formulas, self.computed.late):
            formula = formulas.get(type_name, {}).get(name)
            if formula is not None:
                self.properties(type_name, formula.references)
        for stored in self.computed.rollups:
            if stored.owner == type_name and stored.name == name:
                rollup = stored.rollup
                for hop, far in zip(rollup.hops, stored.types[1:], strict=True):
                    self.relation(hop.relation, far)
                if rollup.property is not None:
                    self.properties(rollup.far_type, (rollup.property,))
                self.where(rollup.far_type, rollup.where)


def plan_footprint(registry: Registry, plan: ImpactPlan) -> Footprint:
    """The footprint of a compiled policy's plan over ``registry``."""
    reads = _Reads(materialized(registry))
    reads.type(plan.source_type)
    reads.type(plan.target_type)
    landings = [plan.source_type]
    for step in plan.steps:
        reads.relation(step.relation, step.landing_type)
        reads.where(step.landing_type, step.where)
        reads.where(step.landing_type, step.condition)
        landings.append(step.landing_type)
    if plan.rollup is not None:
        reads.relation(plan.rollup.relation, plan.target_type)
    for signal in (plan.sla, plan.exposure):
        if signal is None:
            continue
        if isinstance(signal, StepProperty):
            reads.properties(landings[signal.step], (signal.property,))
        else:
            reads.relation(signal.relation, signal.far_type)
            reads.properties(signal.far_type, (signal.property,))
            reads.where(signal.far_type, signal.where)
            reads.where(signal.far_type, signal.condition)
    complaints = plan.complaints
    if complaints is not None:
        reads.relation(complaints.relation, complaints.far_type)
        reads.properties(complaints.far_type, (complaints.date_property,))
        reads.where(complaints.far_type, complaints.where)
        reads.where(complaints.far_type, complaints.condition)
    return Footprint(
        plan.policy,
        plan.source_type,
        {name: frozenset(props) for name, props in reads.entities.items()},
        frozenset(reads.relations),
    )


_RECENT: list[tuple[Registry, tuple[Footprint, ...]]] = []


def footprints(registry: Registry) -> tuple[Footprint, ...]:
    """The footprint of every stored policy of ``registry`` (kept for the last few
    registries seen: a registry is immutable, and a write asks for its own)."""
    for seen, found in _RECENT:
        if seen is registry:
            return found
    found = tuple(
        plan_footprint(registry, compile_policy(registry, definition).plan)
        for _, definition in sorted(registry.policies.items())
    )
    _RECENT.insert(0, (registry, found))
    del _RECENT[_CACHE_SIZE:]
    return found


def read_properties(found: Iterable[Footprint], type_name: str) -> frozenset[str] | None:
    """The properties of ``type_name`` some footprint reads; None: no footprint has the
    type."""
    read: set[str] | None = None
    for footprint in found:
        props = footprint.entities.get(type_name)
        if props is not None:
            read = (read or set()) | props
    return None if read is None else frozenset(read)
