"""Relation writes on Neo4j: link and unlink, one statement each, with their audit
record (what a batch means is worked out once, in :mod:`graph_crm.store.links`)."""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from graph_crm.clock import utc_now
from graph_crm.model.registry import Registry
from graph_crm.store.links import LinkPlan, unlink_outcome
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import write_audit
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.rollup_write import keep_current
from graph_crm.store.neo4j.statements import cypher, fetch, relation_fragments
from graph_crm.store.neo4j.transactions import Work
from graph_crm.store.rollups import TouchedEntities, rollups_on_path


class LinkOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def unlink_rows(self, plan: LinkPlan) -> int:
        """Plan an unlink batch with the current registry; delete the relations there in
        one statement."""
        await self.db.fresh_registry()

        def build(registry: Registry) -> Work[int]:
            batch = plan(registry)
            rel = batch.relation_type
            rows = [{"from": f, "to": t} for f, t in batch.pairs]
            query = cypher(q.RELATION_UNLINK, **relation_fragments(batch.relation_type))

            async def work(tx: AsyncManagedTransaction) -> int:
                result = await fetch(tx, query, rows=rows)
                removed_ends = result[0]["removedEnds"] if result else []
                if rollups_on_path(registry, rel.name):
                    touched = TouchedEntities()
                    touched.add_ends(rel.from_type, rel.to_type, removed_ends)
                    await keep_current(tx, registry, touched.keys)
                count, records = unlink_outcome(batch, removed_ends, utc_now())
                await write_audit(tx, records)
                return count

            return work

        return await self.db.checked_write(build)
