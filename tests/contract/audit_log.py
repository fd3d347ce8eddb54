"""The audit log read whole, page by page (small pages, so paging is exercised too)."""

from __future__ import annotations

from typing import Any

from graph_crm.model.audit import AuditRecord
from graph_crm.store.base import GraphStore


async def everything(store: GraphStore, **filters: Any) -> list[AuditRecord]:
    """The whole log (with ``filters``), walked page by page."""
    records: list[AuditRecord] = []
    after = None
    while True:
        page = await store.audit_log(**filters, first=3, after=after)
        records.extend(page.items)
        if not page.has_next_page:
            return records
        after = page.end_cursor
