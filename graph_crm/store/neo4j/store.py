"""The Neo4j store: the one :class:`~graph_crm.store.facade.Store` over a
:class:`~graph_crm.store.neo4j.session.Neo4jSession`.

:meth:`Neo4jStore.open` reconciles constraints with the registry, healing any
interrupted definition change.
"""

from __future__ import annotations

from graph_crm.store.facade import Store
from graph_crm.store.logs import SLOW_STATEMENT_MS
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.availability import Guard, Neo4jTimeouts
from graph_crm.store.neo4j.core import _cypher, _rows, new_driver
from graph_crm.store.neo4j.errors import translated
from graph_crm.store.neo4j.session import Neo4jSession


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
        driver = new_driver(uri, auth, timeouts)
        guard = Guard(new_driver(uri, auth, timeouts, probe=True), timeouts)
        session = Neo4jSession(driver, database, guard, slow_statement_ms=slow_statement_ms)
        try:
            async with translated():
                await driver.verify_connectivity()
                await session._auto(_cypher(q.REGISTRY_CONSTRAINTS))
                await session._auto(_cypher(q.API_KEY_CONSTRAINT))
                await session._auto(_cypher(q.AUDIT_INDEX))
                await session._write_tx(lambda tx: _rows(tx, _cypher(q.REGISTRY_INIT)))
                await session._reload_registry()
                await session._reconcile_constraints(session._registry)
        except BaseException:
            await session.close()
            raise
        return cls(session)
