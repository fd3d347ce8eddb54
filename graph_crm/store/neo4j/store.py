"""The Neo4j backend: entities are ``:Entity:<Type>`` nodes, relations are typed
relationships, and the registry, the API keys and the audit log live in the same
database (``_GraphCrm*`` nodes).

The store is assembled from one part per concept; :mod:`.core` holds what they share.
:meth:`Neo4jStore.open` reconciles constraints with the registry, healing any
interrupted definition change.
"""

from __future__ import annotations

from graph_crm.store.budget import each_call_budgeted
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import AuditOps
from graph_crm.store.neo4j.availability import Guard, Neo4jTimeouts
from graph_crm.store.neo4j.core import _cypher, _rows, new_driver
from graph_crm.store.neo4j.errors import translated
from graph_crm.store.neo4j.impact_ops import ImpactOps
from graph_crm.store.neo4j.key_ops import KeyOps
from graph_crm.store.neo4j.registry_ops import RegistryOps
from graph_crm.store.neo4j.stats_ops import StatsOps
from graph_crm.store.neo4j.transfer_ops import TransferOps


@each_call_budgeted
class Neo4jStore(RegistryOps, TransferOps, ImpactOps, KeyOps, AuditOps, StatsOps):
    """Core <- registry; core <- entities <- relations and traversal <- transfer; core <- impact;
    core <- API keys; core <- the audit log; core <- degree statistics."""

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
    ) -> Neo4jStore:
        auth = (user, password) if password else None
        timeouts = timeouts or Neo4jTimeouts()
        driver = new_driver(uri, auth, timeouts)
        store = cls(driver, database, Guard(new_driver(uri, auth, timeouts, probe=True), timeouts))
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
            await store.close()
            raise
        return store
