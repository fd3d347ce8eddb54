"""The Neo4j backend's session: entities are ``:Entity:<Type>`` nodes, relations are
typed relationships, and the registry, the API keys and the audit log live in the same
database (``_GraphCrm*`` nodes). :class:`~graph_crm.store.neo4j.store.Neo4jStore`
composes it.

The session is assembled from one part per concept; :mod:`.core` holds what they share.
"""

from __future__ import annotations

from graph_crm.store.neo4j.audit_ops import AuditOps
from graph_crm.store.neo4j.impact_ops import ImpactOps
from graph_crm.store.neo4j.key_ops import KeyOps
from graph_crm.store.neo4j.registry_ops import RegistryOps
from graph_crm.store.neo4j.stats_ops import StatsOps
from graph_crm.store.neo4j.transfer_ops import TransferOps


class Neo4jSession(RegistryOps, TransferOps, ImpactOps, KeyOps, AuditOps, StatsOps):
    """Core <- registry; core <- entities <- relations and traversal <- transfer; core <- impact;
    core <- API keys; core <- the audit log; core <- degree statistics."""

    backend = "neo4j"
