"""A whole read plan on Neo4j: one statement, one round trip (:mod:`.read_compile`)."""

from __future__ import annotations

from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.read_compile import compile_read, found_roots
from graph_crm.store.neo4j.statements import fetch
from graph_crm.store.reads.plan import FoundRoot, ReadPlan


class ReadOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def read_operation(self, plan: ReadPlan) -> list[FoundRoot]:
        query, params = compile_read(plan)
        rows = await self.db.read(lambda tx: fetch(tx, query, **params))
        return found_roots(plan, rows[0])
