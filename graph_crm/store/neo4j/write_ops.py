"""Entity and relation writes on Neo4j: one managed transaction per plan
(:mod:`graph_crm.store.write_batch`), one ``UNWIND`` statement per batch, the audit
records inside it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph_crm.clock import utc_now
from graph_crm.errors import GraphCrmError
from graph_crm.model.graph import WriteResult
from graph_crm.model.records import global_id, revision_of
from graph_crm.model.registry import Registry
from graph_crm.store.audit import upsert_record
from graph_crm.store.common import raise_unique_conflicts
from graph_crm.store.links import LinkBatch, Linked, link_outcome
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import write_audit
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.statements import cypher, fetch, raise_missing_ends, relation_fragments
from graph_crm.store.neo4j.transactions import Work
from graph_crm.store.neo4j.values import encode_props, native
from graph_crm.store.write_batch import (
    BatchResult,
    EntityWrite,
    WritePlan,
    WritePlanner,
    reported_at,
)


class WriteOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def write_rows(self, plan: WritePlanner) -> BatchResult:
        """Plan with the current registry; write every batch in one transaction."""
        await self.db.fresh_registry()

        def build(registry: Registry) -> Work[BatchResult]:
            planned = plan(registry)
            return lambda tx: _write(tx, planned)

        return await self.db.checked_write(build)


async def _write(tx: AsyncManagedTransaction, plan: WritePlan) -> BatchResult:
    result = BatchResult()
    at = utc_now()
    for write in plan.entities:
        with reported_at(plan, ("entities", write.type_name)):
            result.written[write.type_name] = await _upsert(tx, write, plan.actor, at)
    for batch in plan.links:
        with reported_at(plan, ("links", batch.relation_type.name)):
            result.linked[batch.relation_type.name] = await _link(tx, batch, at)
    return result


async def _upsert(
    tx: AsyncManagedTransaction, write: EntityWrite, actor: str, at: datetime
) -> WriteResult:
    entity_type = write.entity_type
    label = q.label(entity_type.name)
    holders: dict[tuple[str, Any], str] = {}
    for name, values in write.unique.items():
        if not values:
            continue
        for row in await fetch(
            tx,
            cypher(q.ENTITY_UNIQUE_HOLDERS, Label=label, prop=q.prop(name)),
            values=list(values),
        ):
            holders[(name, native(row["value"]))] = row["key"]
    raise_unique_conflicts(write.unique, write.records, holders, entity_type.name)
    rows = []
    for record in write.records:
        props = encode_props(entity_type, record.properties)
        props["id"] = global_id(entity_type.name, record.key)
        rows.append(
            {"key": record.key, "rev": revision_of(entity_type, record.properties), "props": props}
        )
    if not rows:
        return WriteResult()
    (result,) = await fetch(tx, cypher(q.ENTITY_UPSERT, Label=label), rows=rows, now=at)
    created, unchanged = int(result["created"]), int(result["unchanged"])
    written = WriteResult(
        created=created, updated=len(rows) - created - unchanged, unchanged=unchanged
    )
    if result["changedKeys"]:
        ids = [global_id(entity_type.name, key) for key in result["changedKeys"]]
        await write_audit(tx, [upsert_record(actor, entity_type.name, ids, written, at)])
    return written


async def _link(tx: AsyncManagedTransaction, batch: LinkBatch, at: datetime) -> WriteResult:
    rel = batch.relation_type
    rows = [
        {
            "from": c.from_key,
            "to": c.to_key,
            "rev": revision_of(rel, c.properties),
            "props": encode_props(rel, c.properties),
        }
        for c in batch.links
    ]
    if not rows:
        return WriteResult()
    (result,) = await fetch(
        tx, cypher(q.RELATION_LINK, **relation_fragments(rel)), rows=rows, now=at
    )
    if result["written"] != len(rows):
        # some ends are missing: name them (raising rolls the whole plan back)
        await raise_missing_ends(tx, rel, batch.pairs)
        raise GraphCrmError(f"{rel.name}: the batch linked fewer rows than asked")
    linked = Linked(int(result["created"]), int(result["unchanged"]), result["changedEnds"])
    written, records = link_outcome(batch, linked, at)
    await write_audit(tx, records)
    return written
