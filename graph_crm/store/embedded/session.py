"""The embedded backend's session: SQLite (WAL) holds the truth, a networkx mirror
serves traversal. :class:`~graph_crm.store.embedded.store.EmbeddedStore` composes it.

The session composes one part per concept, each over the same
:class:`~graph_crm.store.embedded.database.EmbeddedDatabase`, and offers their
primitives (:class:`~graph_crm.store.session.StoreSession`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from graph_crm.auth.keys import ApiKey
from graph_crm.impact.plan import ImpactPlan, ImpactRow
from graph_crm.model.audit import AuditQuery, AuditRecord
from graph_crm.model.degree_stats import DegreeStats
from graph_crm.model.graph import Counts, DeleteResult, Entity, Neighbor, Relation, WriteResult
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.traversal import Direction, Step, Traversal
from graph_crm.store.definitions import DefinitionChange
from graph_crm.store.embedded.audit_ops import AuditOps
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.entity_ops import EntityOps
from graph_crm.store.embedded.graph_ops import GraphOps
from graph_crm.store.embedded.impact_ops import ImpactOps
from graph_crm.store.embedded.key_ops import KeyOps
from graph_crm.store.embedded.link_ops import LinkOps
from graph_crm.store.embedded.registry_ops import RegistryOps
from graph_crm.store.embedded.stats_ops import StatsOps
from graph_crm.store.embedded.transfer_ops import TransferOps
from graph_crm.store.links import LinkPlan
from graph_crm.store.listing import EntityListing, EntityPlan, RelationListing, RelationPlan, Rows
from graph_crm.store.logs import SLOW_STATEMENT_MS


class EmbeddedSession:
    """The embedded backend's primitives, each from the part that owns its concept."""

    backend = "embedded"

    def __init__(self, path: str | Path, *, slow_statement_ms: float = SLOW_STATEMENT_MS) -> None:
        #: The database every part works through (tests reach SQLite through it).
        self.db = EmbeddedDatabase(path, slow_statement_ms=slow_statement_ms)
        self.definitions = RegistryOps(self.db)
        self.entities = EntityOps(self.db)
        self.links = LinkOps(self.db)
        self.graph = GraphOps(self.db, self.entities)
        self.transfer = TransferOps(self.db)
        self.impact = ImpactOps(self.db)
        self.keys = KeyOps(self.db)
        self.audit = AuditOps(self.db)
        self.stats = StatsOps(self.db)

    @property
    def path(self) -> str:
        return self.db.path

    async def open(self) -> None:
        await self.db.open()

    async def close(self) -> None:
        await self.db.close()

    async def ping(self) -> None:
        await self.db.ping()

    def runtime_state(self) -> dict[str, float]:
        """Gauges and counters of this process's store, read without IO or locks:

        ``mirror_entities``, ``mirror_relations``: what the networkx mirror holds now (0
        while there is none: before the first traversal, or after it was discarded);
        ``mirror_rebuilds_total``: mirrors built from SQLite since the store opened;
        ``reader_threads``, ``reader_threads_busy``: the reader threads and those running
        a call now; ``writer_busy``: 1 while a call runs on the writer thread;
        ``calls_active``: store calls waiting for or running on a thread.
        """
        return self.db.runtime_state()

    # -- the registry ------------------------------------------------------------------

    async def registry(self) -> Registry:
        return await self.definitions.registry()

    async def registry_changes(self, since_version: int = 0) -> list[RegistryChange]:
        return await self.definitions.registry_changes(since_version)

    async def apply_definition(self, change: DefinitionChange) -> Registry:
        return await self.definitions.apply_definition(change)

    # -- entities ----------------------------------------------------------------------

    async def upsert_entities(
        self, type_name: str, records: Sequence[Mapping[str, Any]], *, actor: str
    ) -> WriteResult:
        return await self.entities.upsert_entities(type_name, records, actor=actor)

    async def entity_labels(self, ids: Sequence[str]) -> dict[str, str]:
        return await self.entities.entity_labels(ids)

    async def get_entities(self, ids: Sequence[str]) -> list[Entity | None]:
        return await self.entities.get_entities(ids)

    async def entity_rows(self, plan: EntityPlan) -> Rows[EntityListing, Entity]:
        return await self.entities.entity_rows(plan)

    async def delete_entities(self, ids: Sequence[str], *, actor: str) -> DeleteResult:
        return await self.entities.delete_entities(ids, actor=actor)

    # -- relations and traversal -------------------------------------------------------

    async def link_rows(self, plan: LinkPlan) -> WriteResult:
        return await self.links.link_rows(plan)

    async def unlink_rows(self, plan: LinkPlan) -> int:
        return await self.links.unlink_rows(plan)

    async def relation_rows(self, plan: RelationPlan) -> Rows[RelationListing, Relation]:
        return await self.graph.relation_rows(plan)

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
        return await self.graph.neighbors(
            relation_type, direction, ids, where=where, order_by=order_by, first=first
        )

    async def traverse(
        self,
        start: Sequence[str],
        steps: Sequence[Step | Mapping[str, Any]],
        *,
        max_depth: int | None = None,
        limit: int = 1_000,
        paths_per_target: int = 3,
    ) -> Traversal:
        return await self.graph.traverse(
            start, steps, max_depth=max_depth, limit=limit, paths_per_target=paths_per_target
        )

    async def impact_rows(
        self, plan: ImpactPlan, source: str, *, as_of: datetime
    ) -> list[ImpactRow]:
        return await self.impact.impact_rows(plan, source, as_of=as_of)

    async def counts(self) -> Counts:
        return await self.graph.counts()

    async def degree_stats(self) -> DegreeStats:
        return await self.stats.degree_stats()

    # -- bulk transfer, API keys, the audit trail ----------------------------------------

    async def restore_registry(
        self, registry: Registry, changes: Sequence[RegistryChange], *, actor: str
    ) -> None:
        await self.transfer.restore_registry(registry, changes, actor=actor)

    async def restore_entities(
        self, type_name: str, entities: Sequence[Entity], *, actor: str
    ) -> None:
        await self.transfer.restore_entities(type_name, entities, actor=actor)

    async def restore_relations(
        self, relation_type: str, relations: Sequence[Relation], *, actor: str
    ) -> None:
        await self.transfer.restore_relations(relation_type, relations, actor=actor)

    async def add_api_key(self, key: ApiKey) -> None:
        await self.keys.add_api_key(key)

    async def api_key(self, key_id: str) -> ApiKey | None:
        return await self.keys.api_key(key_id)

    async def api_keys(self) -> list[ApiKey]:
        return await self.keys.api_keys()

    async def revoke_api_key(self, key_id: str, *, at: datetime, actor: str) -> ApiKey:
        return await self.keys.revoke_api_key(key_id, at=at, actor=actor)

    async def audit_rows(self, query: AuditQuery) -> Rows[AuditQuery, AuditRecord]:
        return await self.audit.audit_rows(query)

    async def record_audit(self, record: AuditRecord) -> None:
        await self.audit.record_audit(record)
