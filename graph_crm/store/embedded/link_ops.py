"""Relation writes on the embedded store: link and unlink, each with its audit record."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from graph_crm.clock import utc_now
from graph_crm.model.audit import relation_id
from graph_crm.model.graph import WriteResult
from graph_crm.model.records import check_links, encode_properties, global_id
from graph_crm.model.types import RelationType
from graph_crm.model.values import datetime_to_text
from graph_crm.store.audit import link_record, unlink_record
from graph_crm.store.base import DEFAULT_ACTOR
from graph_crm.store.common import raise_missing_endpoints
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.core import _chunks
from graph_crm.store.embedded.entity_ops import EntityOps


class LinkOps(EntityOps):
    def _endpoint_ids(
        self,
        conn: sqlite3.Connection,
        relation_type: RelationType,
        pairs: Sequence[tuple[str, str]],
    ) -> tuple[dict[str, int], dict[str, int]]:
        from_ids = self._row_ids(conn, relation_type.from_type, sorted({f for f, _ in pairs}))
        to_ids = self._row_ids(conn, relation_type.to_type, sorted({t for _, t in pairs}))
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

    async def link(
        self,
        relation_type: str,
        links: Sequence[Mapping[str, Any]],
        *,
        actor: str = DEFAULT_ACTOR,
    ) -> WriteResult:
        def run() -> WriteResult:
            self._refresh()
            rel = self._registry.relation_type(relation_type)
            checked = check_links(rel, links, with_properties=True)
            with self._write() as conn:
                at = utc_now()
                now = datetime_to_text(at)
                from_ids, to_ids = self._endpoint_ids(
                    conn, rel, [(c.from_key, c.to_key) for c in checked]
                )
                existing: dict[tuple[int, int], str] = {}
                edges = [(from_ids[c.from_key], to_ids[c.to_key]) for c in checked]
                # A VALUES join probes the (type, from_id, to_id) index once per pair
                # (an OR of pairs would make SQLite scan every relation of the type).
                for chunk in _chunks(edges, 400):
                    values = ", ".join("(?, ?)" for _ in chunk)
                    for f, t, rev in conn.execute(
                        f"WITH wanted (f, t) AS (VALUES {values}) "
                        "SELECT r.from_id, r.to_id, r.rev FROM wanted JOIN relations r "
                        "ON r.type = ? AND r.from_id = wanted.f AND r.to_id = wanted.t",
                        (*(v for edge in chunk for v in edge), relation_type),
                    ):
                        existing[(f, t)] = rev
                created: list[tuple[Any, ...]] = []
                changed: list[tuple[Any, ...]] = []
                written: list[str] = []
                for record, edge in zip(checked, edges, strict=True):
                    props, rev = encode_properties(rel, record.properties)
                    if edge not in existing:
                        created.append((relation_type, *edge, props, rev, now, now))
                    elif existing[edge] != rev:
                        changed.append((props, rev, now, relation_type, *edge))
                    else:
                        continue
                    written.append(self._relation_name(rel, record.from_key, record.to_key))
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
                result = WriteResult(
                    created=len(created),
                    updated=len(changed),
                    unchanged=len(checked) - len(created) - len(changed),
                )
                if written:
                    insert_audit(conn, [link_record(actor, relation_type, written, result, at)])
            self._after_write(
                lambda m: m.add_edges((row[1], row[2], relation_type) for row in created)
            )
            return result

        return await self._call(run)

    async def unlink(
        self,
        relation_type: str,
        links: Sequence[Mapping[str, Any]],
        *,
        actor: str = DEFAULT_ACTOR,
    ) -> int:
        def run() -> int:
            self._refresh()
            rel = self._registry.relation_type(relation_type)
            checked = check_links(rel, links, with_properties=False)
            removed: list[tuple[int, int, str]] = []
            names: list[str] = []
            with self._write() as conn:
                at = utc_now()
                from_ids = self._row_ids(conn, rel.from_type, [c.from_key for c in checked])
                to_ids = self._row_ids(conn, rel.to_type, [c.to_key for c in checked])
                for record in checked:
                    edge = (from_ids.get(record.from_key), to_ids.get(record.to_key))
                    if None in edge:
                        continue
                    cursor = conn.execute(
                        "DELETE FROM relations WHERE type = ? AND from_id = ? AND to_id = ?",
                        (relation_type, *edge),
                    )
                    if cursor.rowcount:
                        removed.append((edge[0], edge[1], relation_type))  # type: ignore[arg-type]
                        names.append(self._relation_name(rel, record.from_key, record.to_key))
                if names:
                    insert_audit(conn, [unlink_record(actor, relation_type, names, at)])
            self._after_write(lambda m: m.remove_edges(removed))
            return len(removed)

        return await self._call(run)

    @staticmethod
    def _relation_name(rel: RelationType, from_key: str, to_key: str) -> str:
        return relation_id(
            rel.name, global_id(rel.from_type, from_key), global_id(rel.to_type, to_key)
        )
