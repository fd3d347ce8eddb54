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
from graph_crm.model.records import encode_all, global_id
from graph_crm.model.registry import Registry
from graph_crm.store.audit import upsert_record
from graph_crm.store.common import raise_unique_conflicts
from graph_crm.store.links import LinkBatch, Linked, link_outcome
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import write_audit
from graph_crm.store.neo4j.batch_rows import assignments, unchanged, value_columns
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.rollup_write import keep_current
from graph_crm.store.neo4j.statements import (
    cypher,
    fetch,
    fetch_one,
    raise_missing_ends,
    relation_fragments,
)
from graph_crm.store.neo4j.transactions import Work
from graph_crm.store.neo4j.values import native
from graph_crm.store.rollups import TouchedEntities, rollups_on_path
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
            return lambda tx: _write(tx, planned, registry)

        return await self.db.checked_write(build)


async def _write(tx: AsyncManagedTransaction, plan: WritePlan, registry: Registry) -> BatchResult:
    result = BatchResult()
    at = utc_now()
    touched = TouchedEntities()
    for write in plan.entities:
        with reported_at(plan, ("entities", write.type_name)):
            written, keys = await _upsert(tx, write, plan.actor, at)
        result.written[write.type_name] = written
        touched.add(write.type_name, keys)
    for batch in plan.links:
        rel = batch.relation_type
        with reported_at(plan, ("links", rel.name)):
            result.linked[rel.name] = await _link(tx, batch, at)
        if rollups_on_path(registry, rel.name):
            touched.add_ends(rel.from_type, rel.to_type, batch.pairs)
    await keep_current(tx, registry, touched.keys)
    return result


async def _upsert(
    tx: AsyncManagedTransaction, write: EntityWrite, actor: str, at: datetime
) -> tuple[WriteResult, list[str]]:
    """Write one type's records; the result, and the keys of the entities created or
    changed."""
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
    if not write.records:
        return WriteResult(), []
    type_name = entity_type.name
    keys = [record.key for record in write.records]
    properties = [record.properties for record in write.records]
    revisions = [rev for _, rev in encode_all(entity_type, properties)]
    # rows whose revision is stored are not sent again (counted unchanged); the others
    # go through the upsert, which counts what it created, changed or found unchanged
    stale = await fetch_one(tx, cypher(q.ENTITY_STALE, Label=label), keys=keys, revs=revisions)
    sent: list[int] = stale["stale"]
    if not sent:
        return WriteResult(unchanged=len(keys)), []
    sent_keys = [keys[i] for i in sent]
    ids = [global_id(type_name, key) for key in sent_keys]
    statement = cypher(q.ENTITY_UPSERT, Label=label, assign=assignments(entity_type, "n"))
    result = await fetch_one(
        tx,
        statement,
        keys=sent_keys,
        ids=ids,
        revs=[revisions[i] for i in sent],
        v=value_columns(entity_type, [properties[i] for i in sent]),
        now=at,
    )
    created, unchanged = int(result["created"]), int(result["unchanged"])
    written = WriteResult(
        created=created,
        updated=len(sent) - created - unchanged,
        unchanged=unchanged + len(keys) - len(sent),
    )
    changed: list[int] = result["changed"]
    if changed:
        changed_ids = [ids[index] for index in changed]
        await write_audit(tx, [upsert_record(actor, type_name, changed_ids, written, at)])
    return written, [sent_keys[index] for index in changed]


async def _link(tx: AsyncManagedTransaction, batch: LinkBatch, at: datetime) -> WriteResult:
    rel = batch.relation_type
    if not batch.links:
        return WriteResult()
    statement = cypher(
        q.RELATION_LINK,
        **relation_fragments(rel),
        assign=assignments(rel, "r"),
        same=unchanged(rel, "r"),
    )
    result = await fetch_one(
        tx,
        statement,
        fromKeys=[link.from_key for link in batch.links],
        toKeys=[link.to_key for link in batch.links],
        v=value_columns(rel, [link.properties for link in batch.links]),
        now=at,
    )
    if result["written"] != len(batch.links):
        # some ends are missing: name them (raising rolls the whole plan back)
        await raise_missing_ends(tx, rel, batch.pairs)
        raise GraphCrmError(f"{rel.name}: the batch linked fewer rows than asked")
    pairs = batch.pairs
    changed_ends = [pairs[index] for index in result["changed"]]
    linked = Linked(int(result["created"]), int(result["unchanged"]), changed_ends)
    written, records = link_outcome(batch, linked, at)
    await write_audit(tx, records)
    return written
