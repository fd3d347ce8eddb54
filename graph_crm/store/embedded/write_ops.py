"""Entity and relation writes on the embedded store: one write transaction per plan
(:mod:`graph_crm.store.write_batch`), its audit records inside it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

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
from graph_crm.store.embedded.link_ops import endpoint_ids
from graph_crm.store.embedded.mirror import Mirror
from graph_crm.store.embedded.rows import chunks, inserted_ids
from graph_crm.store.embedded.sql import sql_value
from graph_crm.store.links import LinkBatch, Linked, link_outcome
from graph_crm.store.write_batch import BatchResult, EntityWrite, WritePlanner, reported_at

MirrorUpdate = Callable[[Mirror], None]


class WriteOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def write_rows(self, plan: WritePlanner) -> BatchResult:
        """Plan with this write's registry; write every batch in one transaction."""

        @gc_paused()
        def run() -> BatchResult:
            planned = plan(self.db.refresh())
            result = BatchResult()
            updates: list[MirrorUpdate] = []
            with self.db.write() as conn:
                # Taken under the write lock, so the audit log's time order is commit order.
                at = utc_now()
                for write in planned.entities:
                    with reported_at(planned, ("entities", write.type_name)):
                        written, update = _upsert(conn, write, planned.actor, at)
                    result.written[write.type_name] = written
                    updates.append(update)
                for batch in planned.links:
                    with reported_at(planned, ("links", batch.relation_type.name)):
                        linked, update = _link(conn, batch, at)
                    result.linked[batch.relation_type.name] = linked
                    updates.append(update)

            def apply(mirror: Mirror) -> None:
                for update in updates:
                    update(mirror)

            self.db.after_write(apply)
            return result

        return await self.db.call(run)


def _upsert(
    conn: sqlite3.Connection, write: EntityWrite, actor: str, at: datetime
) -> tuple[WriteResult, MirrorUpdate]:
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

    return result, update


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


#: The highest rowid SQLite gives: from there on it picks new ids at random.
_LAST_ROWID: Final = 2**63 - 1
_INSERT_RELATIONS: Final = (
    "INSERT INTO relations (type, from_id, to_id, props, rev, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (type, from_id, to_id) DO NOTHING"
)


def _link(
    conn: sqlite3.Connection, batch: LinkBatch, at: datetime
) -> tuple[WriteResult, MirrorUpdate]:
    rel = batch.relation_type
    name, now = rel.name, datetime_to_text(at)
    from_ids, to_ids = endpoint_ids(conn, rel, batch.pairs)
    edges = [(from_ids[c.from_key], to_ids[c.to_key]) for c in batch.links]
    encoded = encode_all(rel, [record.properties for record in batch.links])
    rows = [
        (name, f, t, props, rev, now, now)
        for (f, t), (props, rev) in zip(edges, encoded, strict=True)
    ]
    # Most links of a load are new: insert every row, those already stored left alone,
    # and read the stored ones back only if there were any. New rows take the ids after
    # the highest one, which tells them apart -- unless SQLite may pick ids at random.
    # A batch whose first link is stored is likely a re-run: then the stored ones are
    # read first, as before an insert that would skip most rows.
    (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM relations").fetchone()
    read_first = last_id >= _LAST_ROWID - len(rows) or bool(
        _stored_revisions(conn, name, edges[:1])
    )
    existing = _stored_revisions(conn, name, edges) if read_first else {}
    fresh = [row for row, edge in zip(rows, edges, strict=True) if edge not in existing]
    if conn.executemany(_INSERT_RELATIONS, fresh).rowcount < len(fresh):
        new = set(
            conn.execute(
                "SELECT from_id, to_id FROM relations WHERE id > ? AND type = ?", (last_id, name)
            ).fetchall()
        )
        existing = _stored_revisions(conn, name, [edge for edge in edges if edge not in new])
    created: list[tuple[int, int]] = []
    changed: list[tuple[Any, ...]] = []
    changed_ends: list[tuple[str, str]] = []
    for record, edge, (props, rev) in zip(batch.links, edges, encoded, strict=True):
        stored = existing.get(edge)
        if stored is None:
            created.append(edge)
        elif stored != rev:
            changed.append((props, rev, now, name, *edge))
        else:
            continue
        changed_ends.append((record.from_key, record.to_key))
    conn.executemany(
        "UPDATE relations SET props = ?, rev = ?, updated_at = ? "
        "WHERE type = ? AND from_id = ? AND to_id = ?",
        changed,
    )
    unchanged = len(batch.links) - len(created) - len(changed)
    result, records = link_outcome(batch, Linked(len(created), unchanged, changed_ends), at)
    insert_audit(conn, records)

    def update(mirror: Mirror) -> None:
        mirror.add_edges((f, t, name) for f, t in created)

    return result, update


def _stored_revisions(
    conn: sqlite3.Connection, name: str, edges: list[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """The revision of each of ``edges`` stored as a ``name`` relation (absent ones left out)."""
    stored: dict[tuple[int, int], str] = {}
    # A VALUES join probes the (type, from_id, to_id) index once per pair (an OR of
    # pairs would make SQLite scan every relation of the type).
    for chunk in chunks(edges, 400):
        values = ", ".join("(?, ?)" for _ in chunk)
        for f, t, rev in conn.execute(
            f"WITH wanted (f, t) AS (VALUES {values}) "
            "SELECT r.from_id, r.to_id, r.rev FROM wanted JOIN relations r "
            "ON r.type = ? AND r.from_id = wanted.f AND r.to_id = wanted.t",
            (*(v for edge in chunk for v in edge), name),
        ):
            stored[(f, t)] = rev
    return stored
