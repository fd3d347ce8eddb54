"""The one :class:`~graph_crm.store.base.GraphStore` implementation: a backend session
composed with what every backend does the same way, written once.

As httpx's ``Client`` over its one-method transport: :class:`Store` checks and plans,
the session (:class:`~graph_crm.store.session.StoreSession`) runs units of work on its
database. Every public coroutine is one store call with one deadline (see
:func:`~graph_crm.store.budget.each_call_budgeted`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from graph_crm.auth.integrations import Integration, check_integration_id
from graph_crm.auth.keys import ApiKey
from graph_crm.clock import utc_now
from graph_crm.errors import InvalidInput, NotFound
from graph_crm.impact.plan import ImpactPlan, ImpactRow
from graph_crm.incidents.delivery import (
    Attempt,
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    check_delivery_id,
)
from graph_crm.incidents.events import LeaseLost, StoredEvent, event_key
from graph_crm.incidents.feed import IncidentChange, check_feed_read
from graph_crm.incidents.incident import Incident, IncidentStatus, check_incident_id
from graph_crm.incidents.listing import check_incident_query, incident_page
from graph_crm.incidents.version import IncidentVersion
from graph_crm.incidents.webhook import Webhook, check_webhook_id
from graph_crm.model.audit import AuditRecord, audit_page, check_audit_query
from graph_crm.model.degree_stats import DegreeStats
from graph_crm.model.graph import (
    Counts,
    DeleteResult,
    Entity,
    Neighbor,
    Page,
    Relation,
    WriteResult,
)
from graph_crm.model.records import global_id, parse_global_id
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.relation_counts import RelationCount
from graph_crm.model.traversal import Direction, Step, Traversal
from graph_crm.model.types import EntityType, RelationType
from graph_crm.model.write_summary import WriteSummary
from graph_crm.store import definitions, events, listing, write_batch
from graph_crm.store import incidents as incidents_
from graph_crm.store import links as links_
from graph_crm.store.audit import (
    delivery_replayed_record,
    webhook_created_record,
    webhook_revoked_record,
)
from graph_crm.store.base import DEFAULT_ACTOR
from graph_crm.store.budget import each_call_budgeted
from graph_crm.store.definition_batch import DefinitionBatch
from graph_crm.store.events import EventLease
from graph_crm.store.keys import checked_at
from graph_crm.store.paging import all_pages
from graph_crm.store.reads.guard import ReadGuard
from graph_crm.store.reads.plan import ReadPlan
from graph_crm.store.reads.project import response
from graph_crm.store.session import StoreSession
from graph_crm.store.webhooks import attempted, check_delivery_query
from graph_crm.store.write_watch import Planned, WriteWatch

S = TypeVar("S", bound=StoreSession)


@each_call_budgeted
class Store(Generic[S]):
    """A :class:`~graph_crm.store.base.GraphStore` over one backend ``session``."""

    def __init__(self, session: S) -> None:
        #: The backend's primitives (tests and benchmarks reach the database through it).
        self.session = session
        self.backend = session.backend
        #: Asks for the re-evaluation of the open incidents a write can change.
        self.watch = WriteWatch(session)

    async def close(self) -> None:
        await self.session.close()

    async def ping(self) -> None:
        await self.session.ping()

    def runtime_state(self) -> dict[str, float]:
        return self.session.runtime_state()

    # -- the registry ------------------------------------------------------------------

    async def registry(self) -> Registry:
        return await self.session.definitions.registry()

    def known_registry(self) -> Registry:
        return self.session.definitions.known_registry()

    async def registry_changes(self, since_version: int = 0) -> list[RegistryChange]:
        return await self.session.definitions.registry_changes(since_version)

    async def apply_definitions(
        self,
        operations: Sequence[definitions.DefinitionOperation],
        *,
        actor: str = DEFAULT_ACTOR,
        dry_run: bool = False,
    ) -> Registry:
        changes = definitions.parse_operations(operations, actor)
        if not changes:
            return await self.session.definitions.registry()
        batch = DefinitionBatch(tuple(changes))
        if dry_run:
            return await self.session.definitions.apply_definitions(batch, dry_run=True)
        return await self.watch.apply(batch)

    async def define_entity_type(
        self, definition: EntityType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        return await self._apply(definitions.define_entity_type(definition, actor))

    async def alter_entity_type(
        self, definition: EntityType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        return await self._apply(definitions.alter_entity_type(definition, actor))

    async def drop_entity_type(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        return await self._apply(definitions.drop_entity_type(name, actor))

    async def define_relation_type(
        self, definition: RelationType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        return await self._apply(definitions.define_relation_type(definition, actor))

    async def alter_relation_type(
        self, definition: RelationType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        return await self._apply(definitions.alter_relation_type(definition, actor))

    async def drop_relation_type(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        return await self._apply(definitions.drop_relation_type(name, actor))

    async def define_impact_policy(
        self, definition: Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        change = definitions.define_impact_policy(definition, actor)
        return await self.watch.apply(DefinitionBatch.of(change))

    async def alter_impact_policy(
        self, definition: Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        change = definitions.alter_impact_policy(definition, actor)
        return await self.watch.apply(DefinitionBatch.of(change))

    async def drop_impact_policy(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        change = definitions.drop_impact_policy(name, actor)
        return await self.watch.apply(DefinitionBatch.of(change))

    async def _apply(self, change: definitions.DefinitionChange) -> Registry:
        # a private helper: the public method calling it carries the call's deadline
        return await self.session.definitions.apply_definitions(DefinitionBatch.of(change))

    # -- entities ----------------------------------------------------------------------

    async def write_batch(
        self,
        entities: Mapping[str, Sequence[Mapping[str, Any]]],
        links: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        *,
        actor: str = DEFAULT_ACTOR,
    ) -> write_batch.BatchResult:
        return await self.watch.write(
            entities,
            lambda registry: write_batch.plan_write(registry, entities, links or {}, actor),
        )

    async def upsert_entities(
        self, type_name: str, records: Sequence[Mapping[str, Any]], *, actor: str = DEFAULT_ACTOR
    ) -> WriteResult:
        planned = await self.watch.write(
            {type_name: records},
            lambda registry: write_batch.plan_upsert(registry, type_name, records, actor),
        )
        (written,) = planned.written.values()  # the plan's one type
        return written

    async def entity_labels(self, ids: Sequence[str]) -> dict[str, str]:
        return await self.session.entities.entity_labels(ids)

    async def get_entities(self, ids: Sequence[str]) -> list[Entity | None]:
        return await self.session.entities.get_entities(ids)

    async def list_entities(
        self,
        type_name: str,
        *,
        where: Any = None,
        order_by: Any = None,
        first: int = 50,
        after: str | None = None,
    ) -> Page[Entity]:
        def plan(registry: Registry) -> listing.EntityListing:
            return listing.plan_entity_listing(
                registry, type_name, where=where, order_by=order_by, first=first, after=after
            )

        return listing.entity_page(await self.session.entities.entity_rows(plan))

    async def read_operation(
        self, plan: ReadPlan, guard: ReadGuard | None = None
    ) -> dict[str, Any] | None:
        found = await self.session.reads.read_operation(plan, guard)
        return None if found is None else response(plan, found)

    async def delete_entities(
        self, ids: Sequence[str], *, actor: str = DEFAULT_ACTOR
    ) -> DeleteResult:
        deleted = await self.session.entities.delete_entities(ids, actor=actor)
        if deleted.entities:
            types = {parse_global_id(entity_id)[0] for entity_id in ids}
            await self.watch.after(None, WriteSummary(dict.fromkeys(types)))
        return deleted

    # -- relations and traversal -------------------------------------------------------

    async def link(
        self, relation_type: str, links: Sequence[Mapping[str, Any]], *, actor: str = DEFAULT_ACTOR
    ) -> WriteResult:
        planned = await self.watch.write(
            {}, lambda registry: write_batch.plan_links_only(registry, relation_type, links, actor)
        )
        (linked,) = planned.linked.values()  # the plan's one relation type
        return linked

    async def unlink(
        self, relation_type: str, links: Sequence[Mapping[str, Any]], *, actor: str = DEFAULT_ACTOR
    ) -> int:
        seen = Planned()
        removed = await self.session.links.unlink_rows(
            seen.planner(lambda registry: links_.plan_unlink(registry, relation_type, links, actor))
        )
        if removed:
            summary = WriteSummary(relations=frozenset({relation_type}))
            await self.watch.after(seen.registry, summary)
        return removed

    async def list_relations(
        self, relation_type: str, *, first: int = 50, after: str | None = None
    ) -> Page[Relation]:
        def plan(registry: Registry) -> listing.RelationListing:
            return listing.plan_relation_listing(registry, relation_type, first=first, after=after)

        return listing.relation_page(await self.session.graph.relation_rows(plan))

    async def get_relations(
        self, relation_type: str, links: Sequence[Mapping[str, Any]]
    ) -> list[Relation | None]:
        return await self.session.graph.relations_between(
            lambda registry: links_.plan_unlink(registry, relation_type, links, DEFAULT_ACTOR)
        )

    async def neighbors(
        self,
        relation_type: str,
        direction: Direction | str,
        ids: Sequence[str],
        *,
        where: Any = None,
        order_by: Any = None,
        first: int = 100,
    ) -> list[list[Neighbor]]:
        return await self.session.graph.neighbors(
            relation_type, direction, ids, where=where, order_by=order_by, first=first
        )

    async def relation_counts(self, ids: Sequence[str]) -> list[list[RelationCount]]:
        return await self.session.graph.relation_counts(ids)

    async def traverse(
        self,
        start: Sequence[str],
        steps: Sequence[Step | Mapping[str, Any]],
        *,
        max_depth: int | None = None,
        limit: int = 1_000,
        paths_per_target: int = 3,
    ) -> Traversal:
        return await self.session.graph.traverse(
            start, steps, max_depth=max_depth, limit=limit, paths_per_target=paths_per_target
        )

    async def impact_rows(
        self, plan: ImpactPlan, source: str, *, as_of: datetime, delay_days: float = 0.0
    ) -> list[ImpactRow]:
        return await self.session.impact.impact_rows(
            plan, source, as_of=as_of, delay_days=delay_days
        )

    async def counts(self) -> Counts:
        return await self.session.graph.counts()

    async def degree_stats(self) -> DegreeStats:
        return await self.session.stats.degree_stats()

    # -- bulk transfer -----------------------------------------------------------------

    def iter_entities(self, type_name: str, batch_size: int = 5_000) -> AsyncIterator[list[Entity]]:
        """Every entity of a type, in batches, ordered by key."""
        return all_pages(
            lambda first, after: self.list_entities(type_name, first=first, after=after),
            batch_size,
        )

    def iter_relations(
        self, relation_type: str, batch_size: int = 5_000
    ) -> AsyncIterator[list[Relation]]:
        """Every relation of a type, in batches, ordered by (from key, to key)."""
        return all_pages(
            lambda first, after: self.list_relations(relation_type, first=first, after=after),
            batch_size,
        )

    async def restore_registry(
        self, registry: Registry, changes: Sequence[RegistryChange], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        await self.session.transfer.restore_registry(registry, changes, actor=actor)

    async def restore_entities(
        self, type_name: str, entities: Sequence[Entity], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        await self.session.transfer.restore_entities(type_name, entities, actor=actor)
        if entities:
            await self.watch.after(None, WriteSummary({type_name: None}))

    async def restore_relations(
        self, relation_type: str, relations: Sequence[Relation], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        await self.session.transfer.restore_relations(relation_type, relations, actor=actor)
        if relations:
            await self.watch.after(None, WriteSummary(relations=frozenset({relation_type})))

    # -- API keys and the audit trail ----------------------------------------------------

    async def add_api_key(self, key: ApiKey) -> None:
        await self.session.keys.add_api_key(key)

    async def api_key(self, key_id: str) -> ApiKey | None:
        return await self.session.keys.api_key(key_id)

    async def api_key_and_registry(self, key_id: str) -> tuple[ApiKey | None, Registry]:
        return await self.session.keys.api_key_and_registry(key_id)

    async def api_keys(self) -> list[ApiKey]:
        return await self.session.keys.api_keys()

    async def revoke_api_key(
        self, key_id: str, *, at: datetime, actor: str = DEFAULT_ACTOR
    ) -> ApiKey:
        return await self.session.keys.revoke_api_key(key_id, at=at, actor=actor)

    async def audit_log(
        self,
        *,
        since: datetime | None = None,
        actor: str | None = None,
        type_name: str | None = None,
        first: int = 50,
        after: str | None = None,
        until: datetime | None = None,
        kind: str | None = None,
        action: str | None = None,
        newest_first: bool = False,
    ) -> Page[AuditRecord]:
        query = check_audit_query(
            since=since,
            actor=actor,
            type_name=type_name,
            first=first,
            after=after,
            until=until,
            kind=kind,
            action=action,
            newest_first=newest_first,
        )
        read = await self.session.audit.audit_rows(query)
        return audit_page(read.rows, read.total, query.first)

    async def record_audit(self, record: AuditRecord) -> None:
        await self.session.audit.record_audit(record)

    # -- incidents -----------------------------------------------------------------------

    async def open_incident(
        self,
        incident: Incident,
        version: IncidentVersion,
        *,
        actor: str = DEFAULT_ACTOR,
        event: EventLease | None = None,
    ) -> None:
        write = incidents_.plan_open(incident, version, actor, event)
        await self.session.incidents.write_incident(write)

    async def update_incident(
        self,
        incident: Incident,
        *,
        version: IncidentVersion | None = None,
        actor: str = DEFAULT_ACTOR,
        reason: str = "changed",
        event: EventLease | None = None,
    ) -> None:
        write = incidents_.plan_change(incident, version, actor, reason, event)
        await self.session.incidents.write_incident(write)

    # -- integrations and their events -----------------------------------------------------

    async def add_integration(self, integration: Integration) -> None:
        events.integration_record(integration)
        await self.session.integrations.add_integration(integration)

    async def integration(self, integration_id: str) -> Integration | None:
        return await self.session.integrations.integration(check_integration_id(integration_id))

    async def integrations(self) -> list[Integration]:
        return await self.session.integrations.integrations()

    async def revoke_integration(
        self, integration_id: str, *, at: datetime, actor: str = DEFAULT_ACTOR
    ) -> Integration:
        return await self.session.integrations.revoke_integration(
            check_integration_id(integration_id), at=at, actor=actor
        )

    async def accept_event(self, event: StoredEvent) -> tuple[StoredEvent, bool]:
        return await self.session.events.accept_event(event)

    async def stored_event(self, integration_id: str, event_id: str) -> StoredEvent | None:
        return await self.session.events.stored_event(event_key(integration_id, event_id))

    async def claim_event(
        self, owner: str, *, now: datetime, lease_seconds: float
    ) -> StoredEvent | None:
        moment = now.timestamp()
        if not await self.session.events.any_due(moment):
            return None  # idle workers look with a read, and take no write lock
        return await self.session.events.claim_event(
            moment, lambda event: event.claimed(owner, moment, lease_seconds)
        )

    async def fail_event(
        self, lease: EventLease, error: dict[str, Any], *, retry: bool
    ) -> StoredEvent | None:
        try:
            change = events.failed(lease, error, retry=retry)
            return await self.session.events.change_event(lease.key, change)
        except LeaseLost:
            return None

    async def complete_event(
        self, lease: EventLease, incident_id: str, version: int
    ) -> StoredEvent | None:
        try:
            return await self.session.events.change_event(
                lease.key, lambda stored: events.completed(stored, lease, incident_id, version)
            )
        except LeaseLost:
            return None

    async def incident(self, incident_id: str) -> Incident | None:
        return await self.session.incidents.incident(check_incident_id(incident_id))

    async def active_incident(self, source: str) -> Incident | None:
        source = global_id(*parse_global_id(source, ("source",)))
        return await self.session.incidents.active_incident(source)

    async def incident_versions(self, incident_id: str, *, since: int = 0) -> list[IncidentVersion]:
        if isinstance(since, bool) or not isinstance(since, int) or since < 0:
            raise InvalidInput("since must be a whole number, 0 or more", path=("since",))
        return await self.session.incidents.incident_versions(check_incident_id(incident_id), since)

    async def incident_changes(self, *, after: int = 0, limit: int = 100) -> list[IncidentChange]:
        after, limit = check_feed_read(after, limit)
        return await self.session.incidents.incident_changes(after, limit)

    async def incident_feed_head(self) -> int:
        return await self.session.incidents.incident_feed_head()

    async def incidents(
        self,
        *,
        status: Sequence[IncidentStatus | str] | None = None,
        source: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Page[Incident]:
        query = check_incident_query(status=status, source=source, first=first, after=after)
        read = await self.session.incidents.incident_rows(query)
        return incident_page(read.rows, read.total, query.first)

    # -- outbound webhooks ---------------------------------------------------------------

    async def add_webhook(self, webhook: Webhook) -> None:
        checked_at(webhook.created_at, "createdAt")
        record = webhook_created_record(webhook, utc_now())
        await self.session.webhooks.add_webhook(webhook, record)

    async def webhook(self, webhook_id: str) -> Webhook | None:
        return await self.session.webhooks.webhook(check_webhook_id(webhook_id))

    async def webhooks(self) -> list[Webhook]:
        found = await self.session.webhooks.webhooks()
        return sorted(found, key=lambda webhook: (webhook.created_at, webhook.id))

    async def revoke_webhook(
        self, webhook_id: str, *, at: datetime, actor: str = DEFAULT_ACTOR
    ) -> Webhook:
        checked_at(at, "at")
        revoked = await self.session.webhooks.change_webhook(
            check_webhook_id(webhook_id),
            lambda webhook: webhook.revoked(at) if webhook.active else None,
            lambda webhook: webhook_revoked_record(webhook, actor, utc_now()),
        )
        if revoked is None:
            raise NotFound(f"there is no webhook {webhook_id!r}", path=("id",))
        return revoked

    async def fan_out_cursor(self) -> int:
        return await self.session.webhooks.fan_out_cursor()

    async def fan_out(self, *, expected: int, cursor: int, deliveries: Sequence[Delivery]) -> bool:
        if cursor < expected:
            raise InvalidInput("the fan-out cursor only moves forward", path=("cursor",))
        return await self.session.webhooks.fan_out(expected, cursor, list(deliveries))

    async def delivery(self, delivery_id: str) -> Delivery | None:
        return await self.session.webhooks.delivery(check_delivery_id(delivery_id))

    async def deliveries(
        self,
        *,
        webhook_id: str | None = None,
        status: DeliveryStatus | str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> list[Delivery]:
        query = check_delivery_query(webhook_id, status, first, after)
        return await self.session.webhooks.deliveries(
            query.webhook_id, query.status, query.after, query.first
        )

    async def claim_delivery(
        self, owner: str, *, now: datetime, lease_seconds: float
    ) -> Delivery | None:
        moment = now.timestamp()
        if not await self.session.webhooks.any_due_delivery(moment):
            return None  # idle workers look with a read, and take no write lock
        return await self.session.webhooks.claim_delivery(
            moment, lambda found: found.claimed(owner, now=moment, lease_seconds=lease_seconds)
        )

    async def record_attempt(
        self, delivery_id: str, owner: str, attempt: Attempt, policy: RetryPolicy, *, jitter: float
    ) -> Delivery | None:
        change = attempted(owner, attempt, policy, jitter)
        try:
            return await self.session.webhooks.change_delivery(
                check_delivery_id(delivery_id), change, None
            )
        except LeaseLost:
            return None

    async def replay_delivery(
        self, delivery_id: str, *, at: datetime, actor: str = DEFAULT_ACTOR
    ) -> Delivery:
        checked_at(at, "at")
        replayed = await self.session.webhooks.change_delivery(
            check_delivery_id(delivery_id),
            lambda found: found.replayed(now=at.timestamp()),
            lambda found: delivery_replayed_record(found, actor, utc_now()),
        )
        if replayed is None:
            raise NotFound(f"there is no delivery {delivery_id!r}", path=("id",))
        return replayed
