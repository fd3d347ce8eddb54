"""The one async contract every storage backend satisfies.

Backends do not inherit from :class:`GraphStore`; they match it structurally, and
one contract test suite (``tests/contract``) runs against each of them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from graph_crm.auth.integrations import Integration
from graph_crm.auth.keys import ApiKey
from graph_crm.impact.plan import ImpactPlan, ImpactRow
from graph_crm.incidents.delivery import Attempt, Delivery, DeliveryStatus, RetryPolicy
from graph_crm.incidents.events import StoredEvent
from graph_crm.incidents.feed import IncidentChange
from graph_crm.incidents.incident import Incident, IncidentStatus
from graph_crm.incidents.version import IncidentVersion
from graph_crm.incidents.webhook import Webhook
from graph_crm.model.audit import AuditRecord
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
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.relation_counts import RelationCount
from graph_crm.model.traversal import Direction, Step, Traversal
from graph_crm.model.types import EntityType, RelationType
from graph_crm.store.definitions import DefinitionOperation
from graph_crm.store.events import EventLease
from graph_crm.store.reads.guard import ReadGuard
from graph_crm.store.reads.plan import ReadPlan
from graph_crm.store.write_batch import BatchResult

DEFAULT_ACTOR = "system"


@runtime_checkable
class GraphStore(Protocol):
    """A property graph whose types are defined at runtime."""

    backend: str

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise :class:`~graph_crm.errors.StoreUnavailable` if the store cannot answer."""

    def runtime_state(self) -> dict[str, float]:
        """This process's gauges and counters of the store, by name, for monitoring
        (Prometheus): cheap, no IO, callable at any time, also after :meth:`close`.
        Counters end in ``_total``. The keys are the backend's own, documented on its
        ``runtime_state``: embedded (``EmbeddedSession.runtime_state``) mirror_entities,
        mirror_relations, mirror_rebuilds_total, reader_threads, reader_threads_busy,
        writer_busy, calls_active; neo4j (``Neo4jSession.runtime_state``) units_running,
        retries_total."""

    # -- the registry ------------------------------------------------------------------

    async def registry(self) -> Registry:
        """The current type registry (re-read if another process changed it)."""

    def known_registry(self) -> Registry:
        """The registry this process last read, without reading the store: possibly
        behind the stored one (a guarded :meth:`read_operation` tells)."""

    async def registry_changes(self, since_version: int = 0) -> list[RegistryChange]:
        """Every definition change after ``since_version``, oldest first."""

    async def apply_definitions(
        self,
        operations: Sequence[DefinitionOperation],
        *,
        actor: str = DEFAULT_ACTOR,
        dry_run: bool = False,
    ) -> Registry:
        """Apply every operation as one registry change (one new version, one audit record
        per change, one transaction), or none: the operations are checked together, in
        order, against the registry they make (a relation type may name an entity type
        defined before it in the list), and every refusal is reported at its operation's
        ``where`` (default ``("definitions", index)``). No operations: no change.
        ``dry_run``: check only, and return the registry it would make."""

    async def define_entity_type(
        self, definition: EntityType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry: ...

    async def alter_entity_type(
        self, definition: EntityType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        """Replace a definition; refused if it would invalidate stored data."""

    async def drop_entity_type(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry: ...

    async def define_relation_type(
        self, definition: RelationType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry: ...

    async def alter_relation_type(
        self, definition: RelationType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry: ...

    async def drop_relation_type(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry: ...

    async def define_impact_policy(
        self, definition: Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        """Record an impact policy checked against the registry (see :mod:`graph_crm.impact`)."""

    async def alter_impact_policy(
        self, definition: Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        """Replace the policy named ``definition["name"]``, checked like a new one."""

    async def drop_impact_policy(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry: ...

    # -- entities ----------------------------------------------------------------------

    async def write_batch(
        self,
        entities: Mapping[str, Sequence[Mapping[str, Any]]],
        links: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        *,
        actor: str = DEFAULT_ACTOR,
    ) -> BatchResult:
        """Create or replace the entities of several types (type name -> records, as
        :meth:`upsert_entities`), then create or update relations (relation type -> links,
        as :meth:`link`), in one transaction: every row lands, or none does. Links may join
        entities of the same batch. Every problem is reported at its place
        (``entities/Customer/3/tier``, ``links/HAS_SUBSIDIARY/0/to``); the records are
        checked whole before anything is written. Each type changed gets the audit record
        its one-type write would leave. (Seeds use it; see
        :mod:`graph_crm.store.write_batch`.)"""

    async def upsert_entities(
        self, type_name: str, records: Sequence[Mapping[str, Any]], *, actor: str = DEFAULT_ACTOR
    ) -> WriteResult:
        """Create or replace entities by key; atomic: one bad row and nothing is written."""

    async def entity_labels(self, ids: Sequence[str]) -> dict[str, str]:
        """Display labels of the entities among ``ids`` that exist: each one's name (see
        :mod:`graph_crm.model.labels`), else its key. One light read per type."""

    async def get_entities(self, ids: Sequence[str]) -> list[Entity | None]:
        """Entities by global id ``"<Type>:<key>"``, in the order asked (None if absent)."""

    async def list_entities(
        self,
        type_name: str,
        *,
        where: Any = None,
        order_by: Any = None,
        first: int = 50,
        after: str | None = None,
    ) -> Page[Entity]:
        """A filtered, ordered page of one type's entities (keyset cursors)."""

    async def read_operation(
        self, plan: ReadPlan, guard: ReadGuard | None = None
    ) -> dict[str, Any] | None:
        """The ``data`` of a whole GraphQL query compiled into ``plan`` (checked against
        the registry by whoever made it): in one read, one statement on Neo4j.

        With a ``guard`` (:mod:`graph_crm.store.reads.guard`), only if in that same read
        its key is stored, not revoked, with its secret hash and role, and the registry
        is at its version; else None, and nothing of the plan is read.

        Raises :class:`~graph_crm.store.reads.project.Unanswerable` when a stored value
        cannot be answered without the resolvers (docs/api.md, "Compiled reads")."""

    async def delete_entities(
        self, ids: Sequence[str], *, actor: str = DEFAULT_ACTOR
    ) -> DeleteResult:
        """Delete entities and every relation touching them; absent ids are ignored.

        One audit record per entity type, naming the entities deleted; the relations
        removed with them are counted (``summary["relations"]``), not named."""

    # -- relations ---------------------------------------------------------------------

    async def link(
        self,
        relation_type: str,
        links: Sequence[Mapping[str, Any]],
        *,
        actor: str = DEFAULT_ACTOR,
    ) -> WriteResult:
        """Create or update relations ``{"from", "to", "properties"}``; atomic, idempotent."""

    async def unlink(
        self,
        relation_type: str,
        links: Sequence[Mapping[str, Any]],
        *,
        actor: str = DEFAULT_ACTOR,
    ) -> int:
        """Remove relations ``{"from", "to"}``; returns how many existed."""

    async def list_relations(
        self, relation_type: str, *, first: int = 50, after: str | None = None
    ) -> Page[Relation]:
        """A page of one relation type's relations, ordered by (from, to)."""

    async def get_relations(
        self, relation_type: str, links: Sequence[Mapping[str, Any]]
    ) -> list[Relation | None]:
        """For each ``{"from", "to"}`` (ends as :meth:`link` takes them, in the order given),
        the stored relation of ``relation_type`` between them, or None. The pairs are
        checked as :meth:`unlink` checks them (ends of the relation's types, each pair
        once). One query for the batch."""

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
        """For each id (in the order given; duplicates allowed, absent ids -> []), its neighbors.

        ``direction`` is OUT or IN; the ids are of the relation's near type (its from type
        for OUT, its to type for IN). ``where`` and ``order_by`` apply to the far entities
        as in :meth:`list_entities` (default order: by key); ``first`` (1..1000) cuts each
        near entity's list. One query for the whole batch (a DataLoader's call).
        """

    async def relation_counts(self, ids: Sequence[str]) -> list[list[RelationCount]]:
        """For each id (in the order given; duplicates allowed, absent ids -> []), how many
        relations of each type touch it, each way: one :class:`RelationCount` per relation
        type and direction touching its type (:func:`~graph_crm.model.relation_counts.
        relation_slots`, zero counts included). Ids of unknown types are UnknownType at
        ``("ids", index)``. One query for the whole batch (a DataLoader's call).
        """

    async def traverse(
        self,
        start: Sequence[str],
        steps: Sequence[Step | Mapping[str, Any]],
        *,
        max_depth: int | None = None,
        limit: int = 1_000,
        paths_per_target: int = 3,
    ) -> Traversal:
        """Follow typed steps from the start entities; see :mod:`graph_crm.model.traversal`."""

    async def impact_rows(
        self, plan: ImpactPlan, source: str, *, as_of: datetime, delay_days: float = 0.0
    ) -> list[ImpactRow]:
        """Evaluate ``plan`` from the ``source`` entity (a global id) as of ``as_of``,
        with its ``$asOf`` and ``$delayDays`` (a policy's conditions may read them) given
        ``as_of`` and ``delay_days``.

        One row per affected (rolled-up) target, sorted by target id; see
        :mod:`graph_crm.impact.plan` for the semantics. Writes nothing. An unknown source
        is :class:`~graph_crm.errors.NotFound`; a source of another type than the plan's,
        or a naive ``as_of``, is :class:`~graph_crm.errors.InvalidInput`.
        """

    async def counts(self) -> Counts:
        """Entities per entity type and relations per relation type."""

    async def degree_stats(self) -> DegreeStats:
        """Entities per type; per relation type, its relations, the distinct entities at
        each end and the largest degree at each end. One query, a scan of the relations:
        callers cache it (the API does, per registry version, for its cost estimate)."""

    # -- bulk transfer (export / import) -------------------------------------------------

    def iter_entities(self, type_name: str, batch_size: int = 5_000) -> AsyncIterator[list[Entity]]:
        """Every entity of a type, in batches, ordered by key."""

    def iter_relations(
        self, relation_type: str, batch_size: int = 5_000
    ) -> AsyncIterator[list[Relation]]:
        """Every relation of a type, in batches."""

    async def restore_registry(
        self,
        registry: Registry,
        changes: Sequence[RegistryChange],
        *,
        actor: str = DEFAULT_ACTOR,
    ) -> None:
        """Install a registry and its history into an empty store (import)."""

    async def restore_entities(
        self, type_name: str, entities: Sequence[Entity], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        """Write entities verbatim, timestamps included (import); atomic per batch."""

    async def restore_relations(
        self, relation_type: str, relations: Sequence[Relation], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        """Write relations verbatim, timestamps included (import); atomic per batch."""

    # -- API keys ----------------------------------------------------------------------

    async def add_api_key(self, key: ApiKey) -> None:
        """Store a new key (its secret only as the hash it carries); Conflict if its id exists.

        Its datetimes must be timezone-aware (else :class:`~graph_crm.errors.InvalidInput`).
        The audit log records ``key.created_by`` as the actor.
        """

    async def api_key(self, key_id: str) -> ApiKey | None:
        """The key with this id, revoked or not; None if there is none."""

    async def api_key_and_registry(self, key_id: str) -> tuple[ApiKey | None, Registry]:
        """:meth:`api_key` and :meth:`registry` in one read (one round trip on Neo4j, a
        second only if the registry changed since this process last read it): a request's
        fixed cost, before any of its own work."""

    async def api_keys(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first (then by id)."""

    async def revoke_api_key(
        self, key_id: str, *, at: datetime, actor: str = DEFAULT_ACTOR
    ) -> ApiKey:
        """Mark a key revoked at ``at`` and return it; NotFound if absent; revoking an already
        revoked key keeps its first revocation time and returns it unchanged."""

    # -- the audit trail -----------------------------------------------------------------

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
        """Audit records, oldest first by ``(at, id)`` (``newest_first``: the reverse),
        keyset-paged (see :mod:`graph_crm.model.audit`); ``since`` is inclusive, ``until``
        exclusive, ``actor``, ``type_name``, ``kind`` and ``action`` match exactly;
        ``total_count`` counts every match of the filters.

        Every definition change and every data or key write that changed something
        writes its record in its own transaction: both are stored, or neither.
        A write that changed nothing (every row unchanged, nothing there to unlink or
        delete, a key already revoked) leaves no record: the log says what changed,
        so re-running an idempotent import or sync does not grow it, and every record
        names real changes. Failed writes leave none either. Besides changes, the log
        holds what was recorded with :meth:`record_audit`.
        """

    async def record_audit(self, record: AuditRecord) -> None:
        """Store ``record`` alone, in a transaction of its own: for what no write of the
        store records, such as an operation refused to a caller (``access.denied``).
        Leaves every entity, relation, definition and key as it is."""

    # -- incidents (graph_crm.incidents; stored beside the graph, like keys) -------------

    async def open_incident(
        self,
        incident: Incident,
        version: IncidentVersion,
        *,
        actor: str = DEFAULT_ACTOR,
        event: EventLease | None = None,
    ) -> None:
        """Store a new incident (revision 1) with its first version and an
        ``incident.open`` audit record, in one transaction. Conflict if its id is taken, or
        if its source has an incident that is not resolved (two racing opens: one wins).
        ``event``: the event this processes, marked processed in the same transaction if
        its lease is still the caller's (else LeaseLost, and nothing is stored)."""

    async def update_incident(
        self,
        incident: Incident,
        *,
        version: IncidentVersion | None = None,
        actor: str = DEFAULT_ACTOR,
        reason: str = "changed",
        event: EventLease | None = None,
    ) -> None:
        """Store ``incident`` (revision r) over the stored one, only if that is still at
        revision r - 1 (else StaleRevision, nothing stored: two acknowledgements made from
        one revision cannot both win), with ``version`` (its latest, if new) and an
        ``incident.change`` audit record saying ``reason``, in one transaction. NotFound if
        there is no such incident. ``event``: as for :meth:`open_incident`."""

    # -- integrations and their events (POST /events) --------------------------------------

    async def add_integration(self, integration: Integration) -> None:
        """Store a new integration (its secret as it is: HMAC needs it) with an
        ``integration.create`` audit record by ``integration.created_by``; Conflict if its
        id exists."""

    async def integration(self, integration_id: str) -> Integration | None:
        """The integration with this id, revoked or not; None if there is none."""

    async def integrations(self) -> list[Integration]:
        """Every integration, revoked ones included, oldest first (then by id)."""

    async def revoke_integration(
        self, integration_id: str, *, at: datetime, actor: str = DEFAULT_ACTOR
    ) -> Integration:
        """As :meth:`revoke_api_key`, for an integration (``integration.revoke``)."""

    async def accept_event(self, event: StoredEvent) -> tuple[StoredEvent, bool]:
        """Store ``event`` if its (integration, id) is new, durably before returning; the
        stored event and whether it was new (else the first one, unchanged)."""

    async def stored_event(self, integration_id: str, event_id: str) -> StoredEvent | None:
        """The event with this (integration, id), or None."""

    async def claim_event(
        self, owner: str, *, now: datetime, lease_seconds: float
    ) -> StoredEvent | None:
        """Lease the next due event to ``owner`` until ``now + lease_seconds``: one accepted
        and due, or one whose lease ran out; None if none. Two claimers never get one
        event while its lease runs."""

    async def fail_event(
        self, lease: EventLease, error: dict[str, Any], *, retry: bool
    ) -> StoredEvent | None:
        """Record that processing failed with ``error``: due again after a backoff
        (``retry``, while attempts remain) or failed for good. None (and nothing changed)
        if ``lease.owner`` no longer holds the lease."""

    async def complete_event(
        self, lease: EventLease, incident_id: str, version: int
    ) -> StoredEvent | None:
        """Record that the leased event was processed and stored nothing new (a
        re-evaluation that changed no report): ``incident_id`` at ``version`` is what it
        looked at. None (and nothing changed) if ``lease.owner`` no longer holds the lease."""

    async def incident(self, incident_id: str) -> Incident | None:
        """The incident with this id (``inc-`` and 16 hex digits, else InvalidInput at
        ``id``), or None."""

    async def active_incident(self, source: str) -> Incident | None:
        """The incident of ``source`` (a global id) that is not resolved, or None."""

    async def incident_versions(self, incident_id: str, *, since: int = 0) -> list[IncidentVersion]:
        """The incident's versions numbered after ``since``, oldest first."""

    async def incident_changes(self, *, after: int = 0, limit: int = 100) -> list[IncidentChange]:
        """The incidents' change feed (:mod:`graph_crm.incidents.feed`): the changes
        numbered after ``after`` (0 or more), oldest first, at most ``limit`` (1 to
        MAX_FEED_READ; else InvalidInput at its name). Every incident write appends one in
        its own transaction, numbered in commit order."""

    async def incident_feed_head(self) -> int:
        """The number of the feed's last change (0 if there is none): where a reader that
        wants only what comes next starts."""

    async def incidents(
        self,
        *,
        status: Sequence[IncidentStatus | str] | None = None,
        source: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Page[Incident]:
        """Incidents newest first by (openedAt, id), keyset-paged, with those statuses
        (None: any) of that source (None: any); ``total_count`` counts every match."""

    # -- outbound webhooks (graph_crm.incidents.webhook, .delivery, .fan_out) ----------------

    async def add_webhook(self, webhook: Webhook) -> None:
        """Store a new webhook (its secret as it is: HMAC needs it) with a ``webhook.create``
        audit record by ``webhook.created_by``; Conflict if its id exists."""

    async def webhook(self, webhook_id: str) -> Webhook | None:
        """The webhook with this id (16 hex digits, else InvalidInput at ``id``), revoked or
        not; None if there is none."""

    async def webhooks(self) -> list[Webhook]:
        """Every webhook, revoked ones included, oldest first (then by id)."""

    async def revoke_webhook(
        self, webhook_id: str, *, at: datetime, actor: str = DEFAULT_ACTOR
    ) -> Webhook:
        """As :meth:`revoke_integration`, for a webhook (``webhook.revoke``): it is told of
        nothing more (its pending deliveries are given up when they come due)."""

    async def fan_out_cursor(self) -> int:
        """The last change of the incidents' feed the fan-out went past (0 at first)."""

    async def fan_out(self, *, expected: int, cursor: int, deliveries: Sequence[Delivery]) -> bool:
        """Store ``deliveries`` (one per (webhook, change): one stored before is kept as it
        is) and move the fan-out cursor from ``expected`` to ``cursor``, in one
        transaction; False, storing nothing, if the cursor is no longer ``expected``."""

    async def delivery(self, delivery_id: str) -> Delivery | None:
        """The delivery with this id (InvalidInput at ``id`` if malformed), or None."""

    async def deliveries(
        self,
        *,
        webhook_id: str | None = None,
        status: DeliveryStatus | str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> list[Delivery]:
        """The delivery log: by id (a webhook's in feed order), after the delivery id
        ``after``, at most ``first`` (1 to 500), of that webhook and status (None: any);
        InvalidInput at the argument's name if one is malformed."""

    async def claim_delivery(
        self, owner: str, *, now: datetime, lease_seconds: float
    ) -> Delivery | None:
        """Lease the next due delivery to ``owner`` until ``now + lease_seconds`` (a pending
        one due, or one whose lease ran out); None if none. Two claimers never get one
        delivery while its lease runs."""

    async def record_attempt(
        self, delivery_id: str, owner: str, attempt: Attempt, policy: RetryPolicy, *, jitter: float
    ) -> Delivery | None:
        """Record ``attempt`` of the delivery ``owner`` leased: delivered, due again after
        ``policy``'s backoff, or dead. None (nothing changed) if the lease is no longer
        ``owner``'s."""

    async def replay_delivery(
        self, delivery_id: str, *, at: datetime, actor: str = DEFAULT_ACTOR
    ) -> Delivery:
        """Make a dead letter due at ``at`` with a fresh set of attempts, audited as
        ``webhook.replay``; NotFound if there is none, InvalidInput (both at ``id``) if it
        is not dead."""
