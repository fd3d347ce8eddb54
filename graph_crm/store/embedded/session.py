"""The embedded backend's session: SQLite (WAL) holds the truth, a networkx mirror
serves traversal. :class:`~graph_crm.store.embedded.store.EmbeddedStore` composes it.

One part per concept, each over the same
:class:`~graph_crm.store.embedded.database.EmbeddedDatabase`; the parts' primitives are
the :class:`~graph_crm.store.session.StoreSession` contract.
"""

from __future__ import annotations

from pathlib import Path

from graph_crm.store.embedded.audit_ops import AuditOps
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.entity_ops import EntityOps
from graph_crm.store.embedded.event_ops import EventOps
from graph_crm.store.embedded.graph_ops import GraphOps
from graph_crm.store.embedded.impact_ops import ImpactOps
from graph_crm.store.embedded.incident_ops import IncidentOps
from graph_crm.store.embedded.integration_ops import IntegrationOps
from graph_crm.store.embedded.key_ops import KeyOps
from graph_crm.store.embedded.link_ops import LinkOps
from graph_crm.store.embedded.read_ops import ReadOps
from graph_crm.store.embedded.registry_ops import RegistryOps
from graph_crm.store.embedded.stats_ops import StatsOps
from graph_crm.store.embedded.transfer_ops import TransferOps
from graph_crm.store.embedded.webhook_ops import WebhookOps
from graph_crm.store.embedded.write_ops import WriteOps
from graph_crm.store.logs import SLOW_STATEMENT_MS


class EmbeddedSession:
    """The embedded backend's parts over one database file."""

    backend = "embedded"

    def __init__(self, path: str | Path, *, slow_statement_ms: float = SLOW_STATEMENT_MS) -> None:
        #: The database every part works through (tests reach SQLite through it).
        self.db = EmbeddedDatabase(path, slow_statement_ms=slow_statement_ms)
        self.definitions = RegistryOps(self.db)
        self.entities = EntityOps(self.db)
        self.links = LinkOps(self.db)
        self.graph = GraphOps(self.db, self.entities)
        self.stats = StatsOps(self.db)
        self.impact = ImpactOps(self.db)
        self.transfer = TransferOps(self.db)
        self.keys = KeyOps(self.db)
        self.audit = AuditOps(self.db)
        self.incidents = IncidentOps(self.db)
        self.integrations = IntegrationOps(self.db)
        self.events = EventOps(self.db)
        self.webhooks = WebhookOps(self.db)
        self.writes = WriteOps(self.db)
        self.reads = ReadOps(self.db)

    @property
    def path(self) -> str:
        return self.db.path

    async def open(self) -> None:
        await self.db.open()

    async def close(self) -> None:
        await self.db.close()

    async def ping(self) -> None:
        await self.db.ping()

    def runtime_state(self) -> dict[str, float]:
        """Gauges and counters of this process's store, read without IO or locks:

        ``mirror_entities``, ``mirror_relations``: what the networkx mirror holds now (0
        while there is none: before the first traversal, or after it was discarded);
        ``mirror_rebuilds_total``: mirrors built from SQLite since the store opened;
        ``reader_threads``, ``reader_threads_busy``: the reader threads and those running
        a call now; ``writer_busy``: 1 while a call runs on the writer thread;
        ``calls_active``: store calls waiting for or running on a thread.
        """
        return self.db.runtime_state()
