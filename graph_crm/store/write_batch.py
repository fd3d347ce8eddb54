"""Writes of entities and relations of several types as one unit, written once.

A :class:`WritePlan` is checked whole against one registry before anything is written:
every record of every entity type, every link of every relation type. A backend then
writes it in one transaction (``write_rows`` of
:class:`~graph_crm.store.session.StoreSession`): the entities first, type by type in
the order given, then the relations, so a link may join entities of the same plan. It
lands whole or not at all. Each type keeps its own audit record, as a one-type write
would leave.

A refusal found at write time (a unique value held by another stored entity, a link end
that does not exist) is reported at its place in the plan: ``("entities", type, row,
property)`` or ``("links", relation, row, end)``; :func:`issues_under` re-roots the
one-type errors the checks raise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from graph_crm.errors import GraphCrmError, Issue, PathPart, raise_issues
from graph_crm.model.formula.stored import materialize_all, materialized_formulas
from graph_crm.model.graph import WriteResult
from graph_crm.model.records import MAX_ISSUES, EntityRecord, check_entity_records
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType
from graph_crm.store.common import unique_values_in_batch
from graph_crm.store.links import LinkBatch, plan_link


@dataclass(frozen=True)
class EntityWrite:
    """One type's checked records, and the values of its unique properties in the batch
    (value -> row)."""

    entity_type: EntityType
    records: Sequence[EntityRecord]
    unique: dict[str, dict[Any, int]]

    @property
    def type_name(self) -> str:
        return self.entity_type.name


@dataclass(frozen=True)
class WritePlan:
    """What one transaction writes: entity batches, then link batches."""

    entities: Sequence[EntityWrite]
    links: Sequence[LinkBatch]
    actor: str
    #: Whether refusals are reported under ("entities", type) / ("links", relation)
    #: (several types) or as a one-type write reports them (``records/3/name``).
    rooted: bool = True


@dataclass
class BatchResult:
    """What a plan wrote, per entity type and per relation type."""

    written: dict[str, WriteResult] = field(default_factory=dict)
    linked: dict[str, WriteResult] = field(default_factory=dict)


WritePlanner = Callable[[Registry], WritePlan]


def plan_write(
    registry: Registry,
    entities: Mapping[str, Sequence[Mapping[str, Any]]],
    links: Mapping[str, Sequence[Mapping[str, Any]]],
    actor: str,
) -> WritePlan:
    """Check every batch against ``registry``; raise every problem found, each at its path
    (``entities/Customer/3/tier``, ``links/HAS_SUBSIDIARY/0/to``)."""
    issues: list[Issue] = []
    first: list[type[GraphCrmError]] = []
    planned_entities: list[EntityWrite] = []
    for type_name, records in entities.items():
        try:
            entity_type = registry.entity_type(type_name)
            checked = materialized(
                registry, entity_type, check_entity_records(entity_type, records)
            )
            unique = unique_values_in_batch(entity_type, checked)
        except GraphCrmError as error:
            first.append(type(error))
            issues.extend(issues_under(error, ("entities", type_name)))
            continue
        planned_entities.append(EntityWrite(entity_type, checked, unique))
    planned_links: list[LinkBatch] = []
    for relation, rows in links.items():
        try:
            planned_links.append(plan_link(registry, relation, rows, actor))
        except GraphCrmError as error:
            first.append(type(error))
            issues.extend(issues_under(error, ("links", relation)))
    if issues:
        raise_issues(first[0], issues[:MAX_ISSUES])
    return WritePlan(tuple(planned_entities), tuple(planned_links), actor)


def plan_upsert(
    registry: Registry, type_name: str, records: Sequence[Mapping[str, Any]], actor: str
) -> WritePlan:
    """One type's records, refused as a one-type write reports it (``records/3/tier``)."""
    entity_type = registry.entity_type(type_name)
    checked = materialized(registry, entity_type, check_entity_records(entity_type, records))
    unique = unique_values_in_batch(entity_type, checked)
    return WritePlan((EntityWrite(entity_type, checked, unique),), (), actor, rooted=False)


def plan_links_only(
    registry: Registry, relation_type: str, links: Sequence[Mapping[str, Any]], actor: str
) -> WritePlan:
    """One relation type's links, refused as a one-type write reports it (``links/0/to``)."""
    return WritePlan((), (plan_link(registry, relation_type, links, actor),), actor, rooted=False)


def materialized(
    registry: Registry, entity_type: EntityType, records: Sequence[EntityRecord]
) -> Sequence[EntityRecord]:
    """``records`` with their computed properties' values, worked out from each row's
    final properties (a write replaces an entity whole) before anything is written, so
    they land in the write's own transaction; a value that cannot be computed refuses
    the batch at ``records/<row>/<property>``."""
    formulas = materialized_formulas(registry, entity_type.name)
    if not formulas:
        return records
    rows = [(record.key, record.properties) for record in records]
    values = materialize_all(formulas, rows, ("records",))
    return [
        EntityRecord(record.key, properties)
        for record, properties in zip(records, values, strict=True)
    ]


def issues_under(error: GraphCrmError, where: tuple[PathPart, ...]) -> list[Issue]:
    """``error``'s issues under ``where``; a one-type batch's leading "records" or "links"
    gives way to it (``records/3/tier`` under ``entities/Customer`` is
    ``entities/Customer/3/tier``)."""
    moved: list[Issue] = []
    for issue in error.issues:
        path = issue.path[1:] if issue.path[:1] in (("records",), ("links",)) else issue.path
        moved.append(Issue(issue.code, issue.message, (*where, *path)))
    return moved


@contextmanager
def reported_at(plan: WritePlan, where: tuple[PathPart, ...]) -> Iterator[None]:
    """Re-raise a refusal of one batch of ``plan`` at its place in the plan."""
    try:
        yield
    except GraphCrmError as error:
        if not plan.rooted:
            raise
        issues = issues_under(error, where)
        head = issues[0]
        raise type(error)(error.message, path=head.path, issues=issues) from None
