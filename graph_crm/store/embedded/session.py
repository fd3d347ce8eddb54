"""The embedded backend's session: SQLite (WAL) holds the truth, a networkx mirror
serves traversal. :class:`~graph_crm.store.embedded.store.EmbeddedStore` composes it.

The session is assembled from one part per concept; :mod:`.core` holds what they share.
"""

from __future__ import annotations

from graph_crm.store.embedded.audit_ops import AuditOps
from graph_crm.store.embedded.impact_ops import ImpactOps
from graph_crm.store.embedded.key_ops import KeyOps
from graph_crm.store.embedded.registry_ops import RegistryOps
from graph_crm.store.embedded.stats_ops import StatsOps
from graph_crm.store.embedded.transfer_ops import TransferOps


class EmbeddedSession(RegistryOps, TransferOps, ImpactOps, KeyOps, AuditOps, StatsOps):
    """Core <- registry; core <- entities <- relations and traversal <- transfer; core <- impact;
    core <- API keys; core <- the audit log; core <- degree statistics."""

    backend = "embedded"
