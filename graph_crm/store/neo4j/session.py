"""The Neo4j backend's session: entities are ``:Entity:<Type>`` nodes, relations are
typed relationships, and the registry, the API keys and the audit log live in the same
database (``_GraphCrm*`` nodes). :class:`~graph_crm.store.neo4j.store.Neo4jStore`
composes it.

One part per concept, each over the same
:class:`~graph_crm.store.neo4j.database.Neo4jDatabase`; the parts' primitives are the
:class:`~graph_crm.store.session.StoreSession` contract.
"""

from __future__ import annotations

from graph_crm.store.neo4j.audit_ops import AuditOps
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.entity_ops import EntityOps
from graph_crm.store.neo4j.event_ops import EventOps
from graph_crm.store.neo4j.graph_ops import GraphOps
from graph_crm.store.neo4j.impact_ops import ImpactOps
from graph_crm.store.neo4j.incident_ops import IncidentOps
from graph_crm.store.neo4j.integration_ops import IntegrationOps
from graph_crm.store.neo4j.key_ops import KeyOps
from graph_crm.store.neo4j.link_ops import LinkOps
from graph_crm.store.neo4j.read_ops import ReadOps
from graph_crm.store.neo4j.registry_ops import RegistryOps
from graph_crm.store.neo4j.stats_ops import StatsOps
from graph_crm.store.neo4j.transfer_ops import TransferOps
from graph_crm.store.neo4j.webhook_ops import WebhookOps
from graph_crm.store.neo4j.write_ops import WriteOps


class Neo4jSession:
    """The Neo4j backend's parts over one database."""

    backend = "neo4j"

    def __init__(self, db: Neo4jDatabase) -> None:
        #: The database every part works through (tests reach the server through it).
        self.db = db
        self.definitions = RegistryOps(db)
        self.entities = EntityOps(db)
        self.links = LinkOps(db)
        self.graph = GraphOps(db)
        self.stats = StatsOps(db)
        self.impact = ImpactOps(db)
        self.transfer = TransferOps(db, self.graph)
        self.keys = KeyOps(db)
        self.audit = AuditOps(db)
        self.incidents = IncidentOps(db)
        self.integrations = IntegrationOps(db)
        self.events = EventOps(db)
        self.webhooks = WebhookOps(db)
        self.writes = WriteOps(db)
        self.reads = ReadOps(db)

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
