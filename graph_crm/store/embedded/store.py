"""The embedded store: SQLite (WAL) holds the truth, a networkx mirror serves traversal.

The store is assembled from one part per concept; :mod:`.core` holds what they share.
"""

from __future__ import annotations

from pathlib import Path

from graph_crm.store.budget import each_call_budgeted
from graph_crm.store.embedded.audit_ops import AuditOps
from graph_crm.store.embedded.impact_ops import ImpactOps
from graph_crm.store.embedded.key_ops import KeyOps
from graph_crm.store.embedded.registry_ops import RegistryOps
from graph_crm.store.embedded.stats_ops import StatsOps
from graph_crm.store.embedded.transfer_ops import TransferOps


@each_call_budgeted
class EmbeddedStore(RegistryOps, TransferOps, ImpactOps, KeyOps, AuditOps, StatsOps):
    """Core <- registry; core <- entities <- relations and traversal <- transfer; core <- impact;
    core <- API keys; core <- the audit log; core <- degree statistics."""

    backend = "embedded"

    @classmethod
    async def open(cls, path: str | Path) -> EmbeddedStore:
        store = cls(path)
        try:
            await store._call(store._open)
        except BaseException:
            await store.close()
            raise
        return store
