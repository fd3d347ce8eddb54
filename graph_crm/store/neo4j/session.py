"""The Neo4j backend's session: entities are ``:Entity:<Type>`` nodes, relations are
typed relationships, and the registry, the API keys and the audit log live in the same
database (``_GraphCrm*`` nodes). :class:`~graph_crm.store.neo4j.store.Neo4jStore`
composes it.

The session composes one part per concept, each over the same
:class:`~graph_crm.store.neo4j.database.Neo4jDatabase`, and offers their primitives
(:class:`~graph_crm.store.session.StoreSession`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from graph_crm.auth.keys import ApiKey
from graph_crm.impact.plan import ImpactPlan, ImpactRow
from graph_crm.model.audit import AuditQuery, AuditRecord
from graph_crm.model.degree_stats import DegreeStats
from graph_crm.model.graph import Counts, DeleteResult, Entity, Neighbor, Relation, WriteResult
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.traversal import Direction, Step, Traversal
from graph_crm.store.definitions import DefinitionChange
from graph_crm.store.links import LinkPlan
from graph_crm.store.listing import EntityListing, EntityPlan, RelationListing, RelationPlan, Rows
from graph_crm.store.neo4j.audit_ops import AuditOps
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.entity_ops import EntityOps
from graph_crm.store.neo4j.graph_ops import GraphOps
from graph_crm.store.neo4j.impact_ops import ImpactOps
from graph_crm.store.neo4j.key_ops import KeyOps
from graph_crm.store.neo4j.registry_ops import RegistryOps
from graph_crm.store.neo4j.stats_ops import StatsOps
from graph_crm.store.neo4j.transfer_ops import TransferOps


class Neo4jSession:
    """The Neo4j backend's primitives, each from the part that owns its concept."""

    backend = "neo4j"

    def __init__(self, db: Neo4jDatabase) -> None:
        #: The database every part works through (tests reach the server through it).
        self.db = db
        self.definitions = RegistryOps(db)
        self.entities = EntityOps(db)
        self.graph = GraphOps(db)
        self.transfer = TransferOps(db, self.graph)
        self.impact = ImpactOps(db)
        self.keys = KeyOps(db)
        self.audit = AuditOps(db)
        self.stats = StatsOps(db)

    async def close(self) -> None:
        await self.db.transactions.close()

    async def ping(self) -> None:
        await self.db.transactions.ping()

    def runtime_state(self) -> dict[str, float]:
        """Gauges and counters of this process's store, read without IO:

        ``units_running``: units of work (transactions, auto-commit statements) running
        now, each on one pooled connection (the driver exposes no public pool gauges, so
        this is the store's own count of connections in use); ``retries_total``: attempts
        run again after a transient failure or a broken connection since the store opened.
        """
        return self.db.transactions.runtime_state()

    # -- the registry ------------------------------------------------------------------

    async def registry(self) -> Registry:
        return await self.db.current_registry()

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
        return await self.graph.link_rows(plan)

    async def unlink_rows(self, plan: LinkPlan) -> int:
        return await self.graph.unlink_rows(plan)

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
