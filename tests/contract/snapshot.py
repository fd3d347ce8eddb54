"""A whole-store snapshot, to prove a failed write changed nothing."""

from __future__ import annotations

import io

from graph_crm.services.transfer import export_graph
from graph_crm.store.base import GraphStore


async def snapshot(store: GraphStore) -> list[str]:
    out = io.StringIO()
    await export_graph(store, out)
    return out.getvalue().splitlines()
