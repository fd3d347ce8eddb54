"""What a backend offers the store: its primitives, grouped by concept into parts
(:class:`StoreSession`).

A backend is a session over one database, made of one part per concept;
:class:`~graph_crm.store.facade.Store` composes a session and writes the rest of
:class:`~graph_crm.store.base.GraphStore` once (definitions, listing, link semantics,
audit paging: :mod:`.definitions`, :mod:`.listing`, :mod:`.links`). Each primitive is
one unit of work on the database; none implements a rule the other backend would repeat.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from graph_crm.auth.integrations import Integration
from graph_crm.auth.keys import ApiKey
from graph_crm.impact.plan import ImpactPlan, ImpactRow
from graph_crm.incidents.delivery import Delivery
from graph_crm.incidents.events import StoredEvent
from graph_crm.incidents.feed import IncidentChange
from graph_crm.incidents.incident import Incident
from graph_crm.incidents.listing import IncidentQuery
from graph_crm.incidents.version import IncidentVersion
from graph_crm.incidents.webhook import Webhook
from graph_crm.model.audit import AuditQuery, AuditRecord
from graph_crm.model.degree_stats import DegreeStats
from graph_crm.model.graph import Counts, DeleteResult, Entity, Neighbor, Relation
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.relation_counts import RelationCount
from graph_crm.model.traversal import Direction, Step, Traversal
from graph_crm.store.definition_batch import DefinitionBatch
from graph_crm.store.incidents import IncidentWrite
from graph_crm.store.links import LinkPlan
from graph_crm.store.listing import EntityListing, EntityPlan, RelationListing, RelationPlan, Rows
from graph_crm.store.reads.guard import ReadGuard
from graph_crm.store.reads.plan import FoundRoot, ReadPlan
from graph_crm.store.write_batch import BatchResult, WritePlanner


class RegistryPart(Protocol):
    async def registry(self) -> Registry: ...

    def known_registry(self) -> Registry:
        """The registry this process last read, without reading the store."""

    async def registry_changes(self, since_version: int = 0) -> list[RegistryChange]: ...

    async def apply_definitions(self, batch: DefinitionBatch, *, dry_run: bool = False) -> Registry:
        """Evolve the stored registry by ``batch`` (:meth:`DefinitionBatch.evolve
        <graph_crm.store.definition_batch.DefinitionBatch.evolve>`, populations counted in
        the transaction) into one new version, and apply it to the stored data with each
        change's history and audit record, in one transaction: all of it, or nothing.
        ``dry_run``: work it out (refusing what would be refused), write nothing, and
        return the registry it would make."""


class WritePart(Protocol):
    async def write_rows(self, plan: WritePlanner) -> BatchResult:
        """Call ``plan`` with the registry the write is checked against, then create or
        replace its entities (type by type) and create or update its relations, in one
        transaction: all or nothing. A stored entity of another key holding a unique value
        of the plan is UniqueViolation, a link end that does not exist NotFound, each at its
        row (:func:`~graph_crm.store.write_batch.reported_at`). Each type's changes get the
        audit record a one-type write leaves (:func:`~graph_crm.store.audit.upsert_record`,
        :func:`~graph_crm.store.links.link_outcome`)."""


class EntityPart(Protocol):
    async def entity_labels(self, ids: Sequence[str]) -> dict[str, str]: ...

    async def get_entities(self, ids: Sequence[str]) -> list[Entity | None]: ...

    async def entity_rows(self, plan: EntityPlan) -> Rows[EntityListing, Entity]:
        """Call ``plan`` with the registry of this read, then count the listing's matches
        and read up to its ``limit`` entities in its order, after its cursor."""

    async def delete_entities(self, ids: Sequence[str], *, actor: str) -> DeleteResult: ...


class LinkPart(Protocol):
    async def unlink_rows(self, plan: LinkPlan) -> int:
        """Call ``plan`` with the registry the write is checked against, then delete the
        batch's relations that exist, with the audit records of
        :func:`~graph_crm.store.links.unlink_outcome`."""


class ReadPart(Protocol):
    async def read_operation(
        self, plan: ReadPlan, guard: ReadGuard | None = None
    ) -> list[FoundRoot] | None:
        """Everything ``plan`` reads, in one read: one :data:`FoundRoot` per root, each
        entity with the far ends of its relation fields (as the plan's registry names
        them; a type since dropped finds nothing). With a ``guard``, only if its key is
        stored active with its secret hash and role and the registry is at its version,
        checked in the same read; else None, and nothing else is read."""


class GraphPart(Protocol):
    async def relation_rows(self, plan: RelationPlan) -> Rows[RelationListing, Relation]:
        """As :meth:`EntityPart.entity_rows`, for relations in (from key, to key) order."""

    async def relations_between(self, plan: LinkPlan) -> list[Relation | None]:
        """Plan the batch with the current registry; per pair of it, in its order, the
        stored relation between its ends, or None. One read."""

    async def neighbors(
        self,
        relation_type: str,
        direction: Direction | str,
        ids: Sequence[str],
        *,
        where: Any = None,
        order_by: Any = None,
        first: int = 100,
    ) -> list[list[Neighbor]]: ...

    async def relation_counts(self, ids: Sequence[str]) -> list[list[RelationCount]]: ...

    async def traverse(
        self,
        start: Sequence[str],
        steps: Sequence[Step | Mapping[str, Any]],
        *,
        max_depth: int | None = None,
        limit: int = 1_000,
        paths_per_target: int = 3,
    ) -> Traversal: ...

    async def counts(self) -> Counts: ...


class StatsPart(Protocol):
    async def degree_stats(self) -> DegreeStats: ...


class ImpactPart(Protocol):
    async def impact_rows(
        self, plan: ImpactPlan, source: str, *, as_of: datetime, delay_days: float = 0.0
    ) -> list[ImpactRow]: ...


class TransferPart(Protocol):
    async def restore_registry(
        self, registry: Registry, changes: Sequence[RegistryChange], *, actor: str
    ) -> None: ...

    async def restore_entities(
        self, type_name: str, entities: Sequence[Entity], *, actor: str
    ) -> None: ...

    async def restore_relations(
        self, relation_type: str, relations: Sequence[Relation], *, actor: str
    ) -> None: ...


class KeyPart(Protocol):
    async def add_api_key(self, key: ApiKey) -> None: ...

    async def api_key(self, key_id: str) -> ApiKey | None: ...

    async def api_key_and_registry(self, key_id: str) -> tuple[ApiKey | None, Registry]:
        """The key (None: none has this id) and the current registry, in one read."""

    async def api_keys(self) -> list[ApiKey]: ...

    async def revoke_api_key(self, key_id: str, *, at: datetime, actor: str) -> ApiKey: ...


class IntegrationPart(Protocol):
    async def add_integration(self, integration: Integration) -> None: ...

    async def integration(self, integration_id: str) -> Integration | None: ...

    async def integrations(self) -> list[Integration]: ...

    async def revoke_integration(
        self, integration_id: str, *, at: datetime, actor: str
    ) -> Integration: ...


#: A change of a stored delivery decided under the store's write lock (store/webhooks.py).
DeliveryChange = Callable[[Delivery], Delivery]
#: None: no change (nothing written).
WebhookChange = Callable[[Webhook], Webhook | None]


class WebhookPart(Protocol):
    async def add_webhook(self, webhook: Webhook, audit: AuditRecord) -> None:
        """Insert it (Conflict if its id is taken) and ``audit``, in one transaction."""

    async def webhook(self, webhook_id: str) -> Webhook | None: ...

    async def webhooks(self) -> list[Webhook]: ...

    async def change_webhook(
        self, webhook_id: str, change: WebhookChange, audit: Callable[[Webhook], AuditRecord]
    ) -> Webhook | None:
        """Under the webhook's write lock: ``change`` of the stored one; if that is not
        None, store it with its ``audit`` record in one transaction. The webhook as stored
        after, None if there is none."""

    async def fan_out_cursor(self) -> int:
        """The last feed change the fan-out went past (0 at first)."""

    async def fan_out(self, expected: int, cursor: int, deliveries: Sequence[Delivery]) -> bool:
        """In one transaction, if the stored cursor is still ``expected``: insert each
        delivery whose id is not stored yet, and set the cursor to ``cursor``; True. Else
        change nothing (another worker went first): False."""

    async def delivery(self, delivery_id: str) -> Delivery | None: ...

    async def deliveries(
        self, webhook_id: str | None, status: str | None, after: str | None, limit: int
    ) -> list[Delivery]:
        """By id (webhook, then feed order), after ``after``, at most ``limit``."""

    async def any_due_delivery(self, now: float) -> bool: ...

    async def claim_delivery(self, now: float, claim: DeliveryChange) -> Delivery | None:
        """The first claimable delivery due at ``now``, changed by ``claim``, or None."""

    async def change_delivery(
        self,
        delivery_id: str,
        change: DeliveryChange,
        audit: Callable[[Delivery], AuditRecord] | None,
    ) -> Delivery | None:
        """The stored delivery changed by ``change`` (which may raise: nothing changes),
        with its ``audit`` record if asked, in one transaction; None if there is none."""


#: A change of a stored event decided under the store's write lock (see store/events.py).
EventChange = Callable[[StoredEvent], StoredEvent]


class EventPart(Protocol):
    async def accept_event(self, event: StoredEvent) -> tuple[StoredEvent, bool]:
        """Insert ``event`` unless its key is stored; the stored one and whether it is new."""

    async def stored_event(self, key: str) -> StoredEvent | None: ...

    async def any_due(self, now: float) -> bool:
        """Whether an event is claimable at ``now`` (a read: idle workers write nothing)."""

    async def claim_event(self, now: float, claim: EventChange) -> StoredEvent | None:
        """In one write transaction: the first claimable event due at ``now`` (by ``due``),
        changed by ``claim`` and stored; None if there is none."""

    async def change_event(self, key: str, change: EventChange) -> StoredEvent:
        """In one write transaction: the event ``key`` (its absence is LeaseLost), changed
        by ``change`` (which may refuse) and stored."""


class IncidentPart(Protocol):
    async def write_incident(self, write: IncidentWrite) -> None:
        """Store ``write`` in one transaction: its incident (new, or over the revision it
        expects: else StaleRevision; absent: NotFound), its version, its feed entry
        (numbered next, in commit order), its audit record. A taken id or an active
        source taken by another incident is Conflict."""

    async def incident(self, incident_id: str) -> Incident | None: ...

    async def active_incident(self, source: str) -> Incident | None: ...

    async def incident_versions(self, incident_id: str, since: int) -> list[IncidentVersion]: ...

    async def incident_changes(self, after: int, limit: int) -> list[IncidentChange]:
        """The feed's entries numbered after ``after``, in order, at most ``limit``."""

    async def incident_feed_head(self) -> int:
        """The number of the feed's last entry (0: none yet)."""

    async def incident_rows(self, query: IncidentQuery) -> Rows[IncidentQuery, Incident]:
        """Count the incidents ``query`` matches; read up to ``first + 1`` after its
        cursor, newest first by (openedAt, id)."""


class AuditPart(Protocol):
    async def audit_rows(self, query: AuditQuery) -> Rows[AuditQuery, AuditRecord]:
        """Count the records ``query`` matches; read up to ``first + 1`` after its cursor,
        oldest first by (at, id), or newest first when ``query.newest_first``."""

    async def record_audit(self, record: AuditRecord) -> None: ...


class StoreSession(Protocol):
    """One backend: its lifecycle, and its primitives by part."""

    #: The backend's name, as :attr:`GraphStore.backend <graph_crm.store.base.GraphStore>`.
    backend: str

    async def close(self) -> None: ...

    async def ping(self) -> None: ...

    def runtime_state(self) -> dict[str, float]: ...

    @property
    def definitions(self) -> RegistryPart: ...

    @property
    def writes(self) -> WritePart: ...

    @property
    def entities(self) -> EntityPart: ...

    @property
    def links(self) -> LinkPart: ...

    @property
    def graph(self) -> GraphPart: ...

    @property
    def reads(self) -> ReadPart: ...

    @property
    def stats(self) -> StatsPart: ...

    @property
    def impact(self) -> ImpactPart: ...

    @property
    def transfer(self) -> TransferPart: ...

    @property
    def keys(self) -> KeyPart: ...

    @property
    def audit(self) -> AuditPart: ...

    @property
    def incidents(self) -> IncidentPart: ...

    @property
    def integrations(self) -> IntegrationPart: ...

    @property
    def events(self) -> EventPart: ...

    @property
    def webhooks(self) -> WebhookPart: ...
