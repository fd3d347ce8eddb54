"""The Neo4j backend: entities are ``:Entity:<Type>`` nodes, relations are typed
relationships, and the registry, the API keys and the audit log live in the same
database (``_GraphCrm*`` nodes).

The store is assembled from one part per concept; :mod:`.core` holds what they share.
:meth:`Neo4jStore.open` reconciles constraints with the registry, healing any
interrupted definition change.
"""

from __future__ import annotations

from neo4j import AsyncGraphDatabase

from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import AuditOps
from graph_crm.store.neo4j.core import _cypher, _rows
from graph_crm.store.neo4j.errors import translated
from graph_crm.store.neo4j.impact_ops import ImpactOps
from graph_crm.store.neo4j.key_ops import KeyOps
from graph_crm.store.neo4j.registry_ops import RegistryOps
from graph_crm.store.neo4j.transfer_ops import TransferOps


class Neo4jStore(RegistryOps, TransferOps, ImpactOps, KeyOps, AuditOps):
    """Core <- registry; core <- entities <- relations and traversal <- transfer; core <- impact;
    core <- API keys; core <- the audit log."""

    backend = "neo4j"

    @classmethod
    async def open(
        cls, uri: str, *, user: str = "neo4j", password: str = "", database: str = "neo4j"
    ) -> Neo4jStore:
        auth = (user, password) if password else None
        driver = AsyncGraphDatabase.driver(
            uri,
            auth=auth,
            connection_timeout=5.0,
            max_transaction_retry_time=15.0,
            connection_acquisition_timeout=10.0,
            # Queries name labels that may not exist yet: those warnings are expected noise.
            notifications_min_severity="OFF",
        )
        store = cls(driver, database)
        try:
            async with translated():
                await driver.verify_connectivity()
                await store._auto(_cypher(q.REGISTRY_CONSTRAINTS))
                await store._auto(_cypher(q.API_KEY_CONSTRAINT))
                await store._auto(_cypher(q.AUDIT_INDEX))
                await store._write_tx(lambda tx: _rows(tx, _cypher(q.REGISTRY_INIT)))
                await store._reload_registry()
                await store._reconcile_constraints(store._registry)
        except BaseException:
            await driver.close()
            raise
        return store
