"""Where the tests' Neo4j comes from: an existing server, or one the suite starts.

``GRAPH_CRM_TEST_NEO4J_URI`` (with ``..._USER`` / ``..._PASSWORD``) points the suite at
an existing server; otherwise it starts a throwaway Community server from the jars
``tools/neo4j_local.py`` resolves. Under ``CI=true`` an unavailable Neo4j fails the
run. Elsewhere, too, unless ``GRAPH_CRM_TEST_SKIP_NEO4J=1`` says to skip on purpose.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from neo4j import AsyncGraphDatabase

from graph_crm.store.neo4j.store import Neo4jStore


@dataclass(frozen=True)
class Neo4jTarget:
    uri: str
    user: str = "neo4j"
    password: str = ""
    database: str = "neo4j"


def skip_allowed() -> bool:
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    return not ci and os.environ.get("GRAPH_CRM_TEST_SKIP_NEO4J") == "1"


def configured_target() -> Neo4jTarget | None:
    uri = os.environ.get("GRAPH_CRM_TEST_NEO4J_URI")
    if not uri:
        return None
    return Neo4jTarget(
        uri=uri,
        user=os.environ.get("GRAPH_CRM_TEST_NEO4J_USER", "neo4j"),
        password=os.environ.get("GRAPH_CRM_TEST_NEO4J_PASSWORD", ""),
        database=os.environ.get("GRAPH_CRM_TEST_NEO4J_DATABASE", "neo4j"),
    )


#: Made by every store's open (cypher/registry_constraints.cypher, api_key_constraint.cypher)
#: and the same for every test: a reset keeps them, so an open need not re-create them.
REGISTRY_CONSTRAINTS: Final = frozenset({"graph_crm_registry_change_step", "graph_crm_api_key_id"})
#: Per-type key constraints (``key`` unique per label) stay too: they refuse nothing a test
#: may write, a store's open leaves them (store/neo4j/constraints.py), and the next test
#: defining the same types finds them in place. Every schema change makes Neo4j plan its
#: queries again, which was most of its work in the suite.
KEPT_PREFIX: Final = "graph_crm_key_"


_resets = 0


def resets() -> int:
    """How many times a test emptied a database: a store loaded before the last reset of its
    database is stale (the read-only stores in tests/conftest.py check this)."""
    return _resets


async def reset_database(target: Neo4jTarget) -> None:
    """Empty the database: every node, and every graph_crm constraint a test or a type
    definition made but the registry's own and the per-type keys (``KEPT_PREFIX``)."""
    global _resets
    _resets += 1
    auth = (target.user, target.password) if target.password else None
    async with AsyncGraphDatabase.driver(
        target.uri, auth=auth, notifications_min_severity="OFF"
    ) as driver:
        records, _, _ = await driver.execute_query(
            "SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH 'graph_crm_' RETURN name",
            database_=target.database,
        )
        for record in records:
            if record["name"] in REGISTRY_CONSTRAINTS or record["name"].startswith(KEPT_PREFIX):
                continue
            await driver.execute_query(
                "DROP CONSTRAINT $name IF EXISTS".replace("$name", f"`{record['name']}`"),
                database_=target.database,
            )
        async with driver.session(database=target.database) as session:
            # CALL ... IN TRANSACTIONS needs an auto-commit transaction
            result = await session.run(
                "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
            )
            await result.consume()


async def open_neo4j_store(target: Neo4jTarget) -> Neo4jStore:
    return await Neo4jStore.open(
        target.uri, user=target.user, password=target.password, database=target.database
    )
