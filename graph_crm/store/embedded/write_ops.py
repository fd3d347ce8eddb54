"""Entity and relation writes on the embedded store: one write transaction per plan
(:mod:`graph_crm.store.write_batch`), its audit records inside it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from graph_crm.clock import utc_now
from graph_crm.errors import UniqueViolation
from graph_crm.model.graph import WriteResult
from graph_crm.model.records import encode_all, global_id
from graph_crm.model.values import datetime_to_text
from graph_crm.store.audit import upsert_record
from graph_crm.store.common import raise_unique_conflicts
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.gc_pause import gc_paused
from graph_crm.store.embedded.link_write import link_batch
from graph_crm.store.embedded.mirror import Mirror
from graph_crm.store.embedded.rollup_write import keep_current
from graph_crm.store.embedded.rows import chunks, inserted_ids
from graph_crm.store.embedded.sql import sql_value
from graph_crm.store.rollups import TouchedEntities, rollups_on_path
from graph_crm.store.write_batch import BatchResult, EntityWrite, WritePlanner, reported_at

MirrorUpdate = Callable[[Mirror], None]


class WriteOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def write_rows(self, plan: WritePlanner) -> BatchResult:
        """Plan with this write's registry; write every batch in one transaction."""

        @gc_paused()
        def run() -> BatchResult:
            registry = self.db.refresh()
            planned = plan(registry)
            result = BatchResult()
            updates: list[MirrorUpdate] = []
            with self.db.write() as conn:
                # Taken under the write lock, so the audit log's time order is commit order.
                at = utc_now()
                touched = TouchedEntities()
                for write in planned.entities:
                    with reported_at(planned, ("entities", write.type_name)):
                        written, update, keys = _upsert(conn, write, planned.actor, at)
                    result.written[write.type_name] = written
                    updates.append(update)
                    touched.add(write.type_name, keys)
                for batch in planned.links:
                    rel = batch.relation_type
                    with reported_at(planned, ("links", rel.name)):
                        linked, update = link_batch(conn, batch, at)
                    result.linked[rel.name] = linked
                    updates.append(update)
                    if rollups_on_path(registry, rel.name):
                        touched.add_ends(rel.from_type, rel.to_type, batch.pairs)
                keep_current(conn, registry, touched.keys)

            def apply(mirror: Mirror) -> None:
                for update in updates:
                    update(mirror)

            self.db.after_write(apply)
            return result

        return await self.db.call(run)


def _upsert(
    conn: sqlite3.Connection, write: EntityWrite, actor: str, at: datetime
) -> tuple[WriteResult, MirrorUpdate, list[str]]:
    """Write one type's records; the result, the mirror's update, and the keys of the
    entities created or changed."""
    entity_type, checked = write.entity_type, write.records
    type_name = entity_type.name
    now = datetime_to_text(at)
    _check_unique_holders(conn, write)
    existing: dict[str, str] = {}
    for chunk in chunks([r.key for r in checked]):
        existing.update(
            conn.execute(
                f"SELECT key, rev FROM entities WHERE type = ? AND key IN "
                f"({', '.join('?' * len(chunk))})",
                (type_name, *chunk),
            ).fetchall()
        )
    created: list[tuple[Any, ...]] = []
    changed: list[tuple[Any, ...]] = []
    # the global ids of the rows created or changed, in the batch's order
    written: list[str] = []
    encoded = encode_all(entity_type, [record.properties for record in checked])
    for record, (props, rev) in zip(checked, encoded, strict=True):
        stored = existing.get(record.key)
        if stored is None:
            created.append((type_name, record.key, props, rev, now, now))
        elif stored != rev:
            changed.append((props, rev, now, type_name, record.key))
        else:
            continue
        written.append(global_id(type_name, record.key))
    try:
        if changed and entity_type.unique_properties:
            # SQLite checks uniqueness row by row: release the old values first so that
            # rows of one batch may trade unique values.
            conn.executemany(
                "UPDATE entities SET props = '{}' WHERE type = ? AND key = ?",
                [(row[3], row[4]) for row in changed],
            )
        (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM entities").fetchone()
        conn.executemany(
            "INSERT INTO entities (type, key, props, rev, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            created,
        )
        conn.executemany(
            "UPDATE entities SET props = ?, rev = ?, updated_at = ? WHERE type = ? AND key = ?",
            changed,
        )
    except sqlite3.IntegrityError:
        raise UniqueViolation(
            f"{type_name}: a unique value was taken by a concurrent write; retry"
        ) from None
    new_rows = inserted_ids(conn, type_name, [row[1] for row in created], last_id)
    result = WriteResult(
        created=len(created),
        updated=len(changed),
        unchanged=len(checked) - len(created) - len(changed),
    )
    if written:
        insert_audit(conn, [upsert_record(actor, type_name, written, result, at)])

    def update(mirror: Mirror) -> None:
        mirror.add_entities((row_id, global_id(type_name, key)) for key, row_id in new_rows.items())

    return result, update, [row[1] for row in created] + [row[4] for row in changed]


def _check_unique_holders(conn: sqlite3.Connection, write: EntityWrite) -> None:
    """Refuse the batch if another stored entity holds one of its unique values."""
    holders: dict[tuple[str, Any], str] = {}
    for name, values in write.unique.items():
        by_sql = {sql_value(v): v for v in values}
        for chunk in chunks(list(by_sql)):
            for key, value in conn.execute(
                f"SELECT key, json_extract(props, ?) FROM entities WHERE type = ? AND "
                f"json_extract(props, ?) IN ({', '.join('?' * len(chunk))})",
                (f"$.{name}", write.type_name, f"$.{name}", *chunk),
            ):
                holders[(name, by_sql[value])] = key
    raise_unique_conflicts(write.unique, write.records, holders, write.type_name)
