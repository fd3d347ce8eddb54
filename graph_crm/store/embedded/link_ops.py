"""Relation writes on the embedded store: link and unlink, each with its audit record."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from graph_crm.clock import utc_now
from graph_crm.model.records import global_id
from graph_crm.model.types import RelationType
from graph_crm.store.common import raise_missing_endpoints
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.rollup_write import keep_current
from graph_crm.store.embedded.rows import row_ids
from graph_crm.store.links import LinkPlan, unlink_outcome
from graph_crm.store.rollups import TouchedEntities, rollups_on_path


def endpoint_ids(
    conn: sqlite3.Connection, relation_type: RelationType, pairs: Sequence[tuple[str, str]]
) -> tuple[dict[str, int], dict[str, int]]:
    """The row ids of the 'from' and 'to' entities of ``pairs``; NotFound names every
    end that does not exist."""
    from_keys, to_keys = sorted({f for f, _ in pairs}), sorted({t for _, t in pairs})
    from_ids = row_ids(conn, relation_type.from_type, from_keys)
    to_ids = row_ids(conn, relation_type.to_type, to_keys)
    if len(from_ids) == len(from_keys) and len(to_ids) == len(to_keys):
        return from_ids, to_ids
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

    async def unlink_rows(self, plan: LinkPlan) -> int:
        """Plan an unlink batch with this write's registry; delete the relations there."""

        def run() -> int:
            registry = self.db.refresh()
            batch = plan(registry)
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
                if rollups_on_path(registry, rel.name):
                    touched = TouchedEntities()
                    touched.add_ends(rel.from_type, rel.to_type, removed_ends)
                    keep_current(conn, registry, touched.keys)
                count, records = unlink_outcome(batch, removed_ends, at)
                insert_audit(conn, records)
            self.db.after_write(lambda m: m.remove_edges(removed))
            return count

        return await self.db.call(run)
