"""Storage: one async contract (:class:`GraphStore`), two backends."""

from __future__ import annotations

from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore


async def open_store(settings: Settings) -> GraphStore:
    """Open the backend the settings name; the caller closes it."""
    if settings.backend == "neo4j":
        from graph_crm.store.neo4j.availability import Neo4jTimeouts
        from graph_crm.store.neo4j.store import Neo4jStore

        return await Neo4jStore.open(
            settings.neo4j_uri,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
            timeouts=Neo4jTimeouts(
                connect=settings.neo4j_connect_timeout,
                acquire=settings.neo4j_acquire_timeout,
                stall=settings.neo4j_stall_timeout,
                retry=settings.neo4j_retry_time,
            ),
            slow_statement_ms=settings.slow_statement_ms,
        )
    from graph_crm.store.embedded.store import EmbeddedStore

    return await EmbeddedStore.open(settings.db_path, slow_statement_ms=settings.slow_statement_ms)


__all__ = ["GraphStore", "open_store"]
