"""The audit trail on Neo4j: ``_GraphCrmAudit`` nodes, apart from the graph.

Every write creates its records with :func:`write_audit` in its own managed
transaction, after its data statement: a record the server refuses rolls the data
back, and a data failure never reaches the record. Ids are a list property;
``before``/``after``/``summary`` JSON text; ``at`` fixed-width UTC text (indexed).
"""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import AsyncManagedTransaction

from graph_crm.model.audit import AuditQuery, AuditRecord
from graph_crm.store.listing import Rows
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.statements import (
    cypher,
    fetch,
)


async def write_audit(tx: AsyncManagedTransaction, records: Sequence[AuditRecord]) -> None:
    """Create ``records`` in ``tx``: one statement, however many records."""
    if records:
        await fetch(tx, cypher(q.AUDIT_ADD), records=[record.to_record() for record in records])


class AuditOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def record_audit(self, record: AuditRecord) -> None:
        await self.db.write(lambda tx: write_audit(tx, [record]))

    async def audit_rows(self, query: AuditQuery) -> Rows[AuditQuery, AuditRecord]:
        """Count the records ``query`` matches; read up to ``first + 1`` after its cursor."""
        filters = {
            "since": query.since,
            "until": query.until,
            "actor": query.actor,
            "typeName": query.type_name,
            "kind": query.kind,
            "action": query.action,
        }
        listing = q.AUDIT_LIST_NEWEST if query.newest_first else q.AUDIT_LIST
        after_at, after_id = query.after or (None, None)

        async def work(tx: AsyncManagedTransaction) -> Rows[AuditQuery, AuditRecord]:
            (counted,) = await fetch(tx, cypher(q.AUDIT_COUNT), **filters)
            rows = await fetch(
                tx,
                cypher(listing),
                **filters,
                afterAt=after_at,
                afterId=after_id,
                limit=query.first + 1,
            )
            records = [AuditRecord.from_record(row["record"]) for row in rows]
            return Rows(query, int(counted["total"]), records)

        return await self.db.read(work)
