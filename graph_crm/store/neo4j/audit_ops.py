"""The audit trail on Neo4j: ``_GraphCrmAudit`` nodes, apart from the graph.

Every write creates its records with :func:`write_audit` in its own managed
transaction, after its data statement: a record the server refuses rolls the data
back, and a data failure never reaches the record. Ids are a list property;
``before``/``after``/``summary`` JSON text; ``at`` fixed-width UTC text (indexed).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from neo4j import AsyncManagedTransaction

from graph_crm.model.audit import AuditRecord, audit_page, check_audit_query
from graph_crm.model.graph import Page
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.core import Neo4jCore, _cypher, _rows


async def write_audit(tx: AsyncManagedTransaction, records: Sequence[AuditRecord]) -> None:
    """Create ``records`` in ``tx``: one statement, however many records."""
    if records:
        await _rows(tx, _cypher(q.AUDIT_ADD), records=[record.to_record() for record in records])


class AuditOps(Neo4jCore):
    async def record_audit(self, record: AuditRecord) -> None:
        await self._write_tx(lambda tx: write_audit(tx, [record]))

    async def audit_log(
        self,
        *,
        since: datetime | None = None,
        actor: str | None = None,
        type_name: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Page[AuditRecord]:
        query = check_audit_query(
            since=since, actor=actor, type_name=type_name, first=first, after=after
        )
        filters = {"since": query.since, "actor": query.actor, "typeName": query.type_name}
        after_at, after_id = query.after or (None, None)

        async def work(tx: AsyncManagedTransaction) -> tuple[int, list[AuditRecord]]:
            (counted,) = await _rows(tx, _cypher(q.AUDIT_COUNT), **filters)
            rows = await _rows(
                tx,
                _cypher(q.AUDIT_LIST),
                **filters,
                afterAt=after_at,
                afterId=after_id,
                limit=query.first + 1,
            )
            return int(counted["total"]), [AuditRecord.from_record(row["record"]) for row in rows]

        total, records = await self._read_tx(work)
        return audit_page(records, total, query.first)
