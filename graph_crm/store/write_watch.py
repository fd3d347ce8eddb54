"""Open incidents kept current: after a write of the graph commits, ask for the
re-evaluation of each open incident whose report the write can change.

What the write changed (:class:`~graph_crm.model.write_summary.WriteSummary`) is
checked against every impact policy's footprint (:mod:`graph_crm.impact.footprint`),
cached per registry: a write no footprint has in it costs no store call. Only on a hit
are the incidents that are not resolved listed, and for each one of a source type whose
policy was hit a re-evaluation is queued as a stored event
(:mod:`graph_crm.incidents.reevaluation`), coalesced per incident.

Whole-entity upserts say which properties they changed only against the values before:
for the types some footprint reads, while some incident is not resolved, those are read
before the write (two calls); a row whose values were not read counts as every property
changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from graph_crm.clock import utc_now
from graph_crm.errors import GraphCrmError
from graph_crm.impact.footprint import footprints, read_properties
from graph_crm.incidents.events import StoredEvent
from graph_crm.incidents.incident import Incident, IncidentStatus
from graph_crm.incidents.listing import check_incident_query, incident_cursor
from graph_crm.incidents.reevaluation import asked_again, reevaluation_event
from graph_crm.model.formula.stored import rollup_names
from graph_crm.model.graph import Entity, WriteResult
from graph_crm.model.records import global_id, parse_global_id
from graph_crm.model.registry import Registry
from graph_crm.model.write_summary import UPDATED_AT, WriteSummary
from graph_crm.store.definition_batch import DefinitionBatch
from graph_crm.store.session import StoreSession
from graph_crm.store.write_batch import BatchResult, WritePlan, WritePlanner

logger = logging.getLogger("graph_crm.reevaluation")
T = TypeVar("T")

#: Entities read before a write, by type and key (a type absent, or None: not read).
Before = dict[str, dict[str, Entity]] | None
_ACTIVE = (IncidentStatus.OPEN.value, IncidentStatus.ACKNOWLEDGED.value)


def _written(result: WriteResult | None) -> bool:
    return result is not None and bool(result.created or result.updated)


def plan_summary(
    registry: Registry, plan: WritePlan, result: BatchResult, before: Before
) -> WriteSummary:
    """What ``plan`` changed, as written (``result``) over the values ``before`` (its
    rollups aside: the store keeps them after the rows, and their paths are footprints').
    A row created changes no report by itself: what reaches it is a relation, which the
    write's links name."""
    entities: dict[str, frozenset[str] | None] = {}
    for write in plan.entities:
        if not _written(result.written.get(write.type_name)):
            continue
        stored = None if before is None else before.get(write.type_name)
        if stored is None:
            entities[write.type_name] = None  # not read before: every property
            continue
        rollups = rollup_names(registry, write.type_name)
        changed: set[str] = set()
        for record in write.records:
            old = stored.get(record.key)
            if old is None:
                continue  # created
            names = (old.properties.keys() | record.properties.keys()) - rollups
            differ = {n for n in names if old.properties.get(n) != record.properties.get(n)}
            changed.update(differ | ({UPDATED_AT} if differ else set()))
        entities[write.type_name] = frozenset(changed)
    relations = frozenset(
        batch.relation_type.name
        for batch in plan.links
        if _written(result.linked.get(batch.relation_type.name))
    )
    return WriteSummary(entities, relations)


class WriteWatch:
    """The re-evaluations the writes of one store ask for."""

    def __init__(self, session: StoreSession) -> None:
        self.session = session
        #: The registry the last write was planned with: what reads before a write go by.
        self.registry: Registry | None = None

    async def before(self, rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> Before:
        """The stored entities of ``rows`` (records by type), by type and key, for the
        types a policy reads (the others are not read: not in the answer)."""
        if self.registry is None:
            self.registry = await self.session.definitions.registry()
        found = footprints(self.registry)
        read = [name for name in rows if read_properties(found, name) is not None]
        keys = {
            name: [
                r["key"]
                for r in rows[name]
                if isinstance(r, Mapping) and isinstance(r.get("key"), str)
            ]
            for name in read
        }
        answer: dict[str, dict[str, Entity]] = {name: {} for name in read}
        ids = [global_id(name, key) for name, names in keys.items() for key in names]
        if not ids:
            return answer
        if not await self._any_active():
            # nothing to keep current (a bulk load, most often): read nothing; should an
            # incident open meanwhile, the write counts as changing every property
            return None
        try:
            entities = await self.session.entities.get_entities(ids)
        except GraphCrmError:
            return None  # a bad id: the write refuses it, or counts every property
        for entity in entities:
            if entity is not None:
                answer[entity.type][entity.key] = entity
        return answer

    async def write(
        self, rows: Mapping[str, Sequence[Mapping[str, Any]]], make: WritePlanner
    ) -> BatchResult:
        """Write the plan ``make`` makes (of the entity ``rows``, by type), then queue the
        re-evaluations it asks for."""
        seen = Planned()
        before = await self.before(rows) if rows else {}
        result = await self.session.writes.write_rows(seen.planner(make))
        await self.after(seen.registry, seen.summary(result, before))
        return result

    async def after(self, registry: Registry | None, summary: WriteSummary) -> None:
        """Queue the re-evaluations ``summary`` asks for (writes planned over ``registry``;
        None: the current one). The write is committed: a failure here is logged, not
        raised."""
        if summary.empty:
            return
        try:
            if registry is None:
                registry = await self.session.definitions.registry()
            self.registry = registry
            hits: dict[str, set[str]] = {}
            for footprint in footprints(registry):
                touched = footprint.touched_by(summary)
                if touched:
                    hits.setdefault(footprint.source_type, set()).update(touched)
            if hits:
                await self.ask(hits)
        except GraphCrmError as error:  # the store unavailable, out of time: said, no trace
            logger.warning("re-evaluations after a write could not be queued: %s", error)
        except Exception:
            logger.exception("re-evaluations after a write could not be queued")

    async def apply(self, batch: DefinitionBatch) -> Registry:
        """Apply ``batch`` (definitions); if it changed impact policies, ask for the
        re-evaluation of the incidents of their source types."""
        old = await self.session.definitions.registry()
        new = await self.session.definitions.apply_definitions(batch)
        if old.policies != new.policies:
            await self.policies_changed(old, new)
        return new

    async def policies_changed(self, old: Registry, new: Registry) -> None:
        """Queue a re-evaluation of the incidents of every source type whose policies
        changed from ``old`` to ``new``."""
        self.registry = new
        names = {n for n in old.policies.keys() | new.policies.keys() if _differs(old, new, n)}
        hits: dict[str, set[str]] = {}
        for name in names:
            for registry in (old, new):
                definition = registry.policies.get(name)
                if isinstance(definition, dict) and isinstance(definition.get("source"), str):
                    hits.setdefault(definition["source"], set()).add(f"policy {name}")
        if hits:
            try:
                await self.ask(hits)
            except GraphCrmError as error:
                logger.warning("re-evaluations after a policy change were not queued: %s", error)
            except Exception:
                logger.exception("re-evaluations after a policy change could not be queued")

    async def ask(self, hits: Mapping[str, set[str]]) -> None:
        """Queue a re-evaluation of each incident not resolved whose source type is in
        ``hits`` (with what changed)."""
        for incident in await self._active():
            changes = hits.get(parse_global_id(incident.source)[0])
            if changes is None:
                continue
            at = utc_now()
            event = reevaluation_event(incident.id, changes, at)
            _, new = await self.session.events.accept_event(event)
            if not new:
                await self.session.events.change_event(event.key, _again(changes, at))

    async def _any_active(self) -> bool:
        query = check_incident_query(status=list(_ACTIVE), first=1)
        return bool((await self.session.incidents.incident_rows(query)).rows)

    async def _active(self) -> list[Incident]:
        found: list[Incident] = []
        after: str | None = None
        while True:
            query = check_incident_query(status=list(_ACTIVE), first=200, after=after)
            read = await self.session.incidents.incident_rows(query)
            page = read.rows[: query.first]
            found.extend(page)
            if len(read.rows) <= query.first or not page:
                return found
            after = incident_cursor(page[-1])


def _again(changes: set[str], at: datetime) -> Callable[[StoredEvent], StoredEvent]:
    return lambda stored: asked_again(stored, changes, at)


def _differs(old: Registry, new: Registry, name: str) -> bool:
    return old.policies.get(name) != new.policies.get(name)


class Planned:
    """What a backend planned a write with, kept as it plans (a backend may plan again
    when it retries a transaction: the last one is what it wrote)."""

    def __init__(self) -> None:
        self.registry: Registry | None = None
        self.plan: WritePlan | None = None

    def planner(self, make: Callable[[Registry], T]) -> Callable[[Registry], T]:
        def plan(registry: Registry) -> T:
            self.registry = registry
            planned = make(registry)
            if isinstance(planned, WritePlan):
                self.plan = planned
            return planned

        return plan

    def summary(self, result: BatchResult, before: Before) -> WriteSummary:
        if self.registry is None or self.plan is None:
            return WriteSummary()
        return plan_summary(self.registry, self.plan, result, before)
