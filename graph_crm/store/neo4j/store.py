"""The Neo4j store: the one :class:`~graph_crm.store.facade.Store` over a
:class:`~graph_crm.store.neo4j.session.Neo4jSession`.

:meth:`Neo4jStore.open` reconciles constraints with the registry, healing any
interrupted definition change.
"""

from __future__ import annotations

from graph_crm.store.facade import Store
from graph_crm.store.logs import SLOW_STATEMENT_MS
from graph_crm.store.neo4j.availability import Guard, Neo4jTimeouts
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.errors import translated
from graph_crm.store.neo4j.session import Neo4jSession
from graph_crm.store.neo4j.transactions import Transactions, new_driver


class Neo4jStore(Store[Neo4jSession]):
    backend = "neo4j"

    @classmethod
    async def open(
        cls,
        uri: str,
        *,
        user: str = "neo4j",
        password: str = "",
        database: str = "neo4j",
        timeouts: Neo4jTimeouts | None = None,
        slow_statement_ms: float = SLOW_STATEMENT_MS,
    ) -> Neo4jStore:
        auth = (user, password) if password else None
        timeouts = timeouts or Neo4jTimeouts()
        guard = Guard(new_driver(uri, auth, timeouts, probe=True), timeouts)
        transactions = Transactions(
            new_driver(uri, auth, timeouts), database, guard, slow_statement_ms=slow_statement_ms
        )
        session = Neo4jSession(Neo4jDatabase(transactions))
        try:
            async with translated():
                await session.db.open()
        except BaseException:
            await session.close()
            raise
        return cls(session)
