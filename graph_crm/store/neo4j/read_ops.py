"""A whole read plan on Neo4j: one statement, one round trip (:mod:`.read_compile`),
auto-committed; a nested relation quantifier's sets are read first, in one managed
transaction with it (:class:`~.compile.RelatedSet`). A guard's key and registry version
are checked by the statement itself (``read_guarded.cypher``)."""

from __future__ import annotations

from graph_crm.store.neo4j.compile import RelatedSet
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.read_compile import compile_read, found_roots
from graph_crm.store.neo4j.statements import fetch
from graph_crm.store.reads.guard import ReadGuard
from graph_crm.store.reads.plan import FoundRoot, ReadPlan


class ReadOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def read_operation(
        self, plan: ReadPlan, guard: ReadGuard | None = None
    ) -> list[FoundRoot] | None:
        query, params = compile_read(plan, guard)
        if any(isinstance(value, RelatedSet) for value in params.values()):
            # a nested relation quantifier's set is read first, in the same transaction
            rows = await self.db.read(lambda tx: fetch(tx, query, **params))
        else:
            rows = await self.db.read_statement(query, **params)
        if not rows:
            return None  # the guard held: the key or the registry version is not as given
        return found_roots(plan, rows[0])
