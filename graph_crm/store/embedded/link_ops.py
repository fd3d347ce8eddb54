"""Relation writes on the embedded store: link and unlink, each with its audit record."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from graph_crm.clock import utc_now
from graph_crm.model.graph import WriteResult
from graph_crm.model.records import encode_properties, global_id
from graph_crm.model.types import RelationType
from graph_crm.model.values import datetime_to_text
from graph_crm.store.common import raise_missing_endpoints
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.rows import chunks, row_ids
from graph_crm.store.links import Linked, LinkPlan, link_outcome, unlink_outcome


def endpoint_ids(
    conn: sqlite3.Connection, relation_type: RelationType, pairs: Sequence[tuple[str, str]]
) -> tuple[dict[str, int], dict[str, int]]:
    """The row ids of the 'from' and 'to' entities of ``pairs``; NotFound names every
    end that does not exist."""
    from_ids = row_ids(conn, relation_type.from_type, sorted({f for f, _ in pairs}))
    to_ids = row_ids(conn, relation_type.to_type, sorted({t for _, t in pairs}))
    missing = [
        (row, end, global_id(type_name, key))
        for row, (from_key, to_key) in enumerate(pairs)
        for end, type_name, key, known in (
            ("from", relation_type.from_type, from_key, from_ids),
            ("to", relation_type.to_type, to_key, to_ids),
        )
        if key not in known
    ]
    raise_missing_endpoints(missing, relation_type.name)
    return from_ids, to_ids


class LinkOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def link_rows(self, plan: LinkPlan) -> WriteResult:
        """Plan a link batch with this write's registry; create or update its relations."""

        def run() -> WriteResult:
            batch = plan(self.db.refresh())
            rel = batch.relation_type
            with self.db.write() as conn:
                at = utc_now()
                now = datetime_to_text(at)
                from_ids, to_ids = endpoint_ids(conn, rel, batch.pairs)
                existing: dict[tuple[int, int], str] = {}
                edges = [(from_ids[c.from_key], to_ids[c.to_key]) for c in batch.links]
                # A VALUES join probes the (type, from_id, to_id) index once per pair
                # (an OR of pairs would make SQLite scan every relation of the type).
                for chunk in chunks(edges, 400):
                    values = ", ".join("(?, ?)" for _ in chunk)
                    for f, t, rev in conn.execute(
                        f"WITH wanted (f, t) AS (VALUES {values}) "
                        "SELECT r.from_id, r.to_id, r.rev FROM wanted JOIN relations r "
                        "ON r.type = ? AND r.from_id = wanted.f AND r.to_id = wanted.t",
                        (*(v for edge in chunk for v in edge), rel.name),
                    ):
                        existing[(f, t)] = rev
                created: list[tuple[Any, ...]] = []
                changed: list[tuple[Any, ...]] = []
                changed_ends: list[tuple[str, str]] = []
                for record, edge in zip(batch.links, edges, strict=True):
                    props, rev = encode_properties(rel, record.properties)
                    if edge not in existing:
                        created.append((rel.name, *edge, props, rev, now, now))
                    elif existing[edge] != rev:
                        changed.append((props, rev, now, rel.name, *edge))
                    else:
                        continue
                    changed_ends.append((record.from_key, record.to_key))
                conn.executemany(
                    "INSERT INTO relations (type, from_id, to_id, props, rev, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    created,
                )
                conn.executemany(
                    "UPDATE relations SET props = ?, rev = ?, updated_at = ? "
                    "WHERE type = ? AND from_id = ? AND to_id = ?",
                    changed,
                )
                unchanged = len(batch.links) - len(created) - len(changed)
                linked = Linked(len(created), unchanged, changed_ends)
                result, records = link_outcome(batch, linked, at)
                insert_audit(conn, records)
            self.db.after_write(
                lambda m: m.add_edges((row[1], row[2], rel.name) for row in created)
            )
            return result

        return await self.db.call(run)

    async def unlink_rows(self, plan: LinkPlan) -> int:
        """Plan an unlink batch with this write's registry; delete the relations there."""

        def run() -> int:
            batch = plan(self.db.refresh())
            rel = batch.relation_type
            removed: list[tuple[int, int, str]] = []
            removed_ends: list[tuple[str, str]] = []
            with self.db.write() as conn:
                at = utc_now()
                from_ids = row_ids(conn, rel.from_type, [c.from_key for c in batch.links])
                to_ids = row_ids(conn, rel.to_type, [c.to_key for c in batch.links])
                for record in batch.links:
                    from_id, to_id = from_ids.get(record.from_key), to_ids.get(record.to_key)
                    if from_id is None or to_id is None:
                        continue
                    cursor = conn.execute(
                        "DELETE FROM relations WHERE type = ? AND from_id = ? AND to_id = ?",
                        (rel.name, from_id, to_id),
                    )
                    if cursor.rowcount:
                        removed.append((from_id, to_id, rel.name))
                        removed_ends.append((record.from_key, record.to_key))
                count, records = unlink_outcome(batch, removed_ends, at)
                insert_audit(conn, records)
            self.db.after_write(lambda m: m.remove_edges(removed))
            return count

        return await self.db.call(run)
