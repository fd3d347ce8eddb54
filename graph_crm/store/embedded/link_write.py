"""A link batch written on the embedded store, inside a write transaction
(:mod:`graph_crm.store.embedded.write_ops`).

Most links of a load are new and join entities that exist: the whole batch goes in one
``INSERT … SELECT`` over ``json_each`` that finds both ends by key, skips links stored
already and returns the new rows' ends (for the mirror); nothing else is read. When it
inserts fewer rows than sent (an end missing, or a link stored already), the ends are
looked up by key as before (which refuses every missing end at its row; the transaction
is then rolled back whole) and the stored links' revisions are read. A batch whose
first link is stored already (most likely a re-run) goes that way from the start.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final

from graph_crm.model.graph import WriteResult
from graph_crm.model.records import canonical_json, encode_all
from graph_crm.model.values import datetime_to_text
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.link_ops import endpoint_ids
from graph_crm.store.embedded.mirror import Mirror
from graph_crm.store.embedded.rows import chunks
from graph_crm.store.links import LinkBatch, Linked, link_outcome

MirrorUpdate = Callable[[Mirror], None]
Edge = tuple[int, int]

_INSERT_BY_IDS: Final = (
    "INSERT INTO relations (type, from_id, to_id, props, rev, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (type, from_id, to_id) DO NOTHING"
)
#: Every link of a batch, both ends found by key: ``json_each`` over the batch's rows
#: ``[from key, to key, props, rev]`` first (CROSS JOIN keeps that order: each row
#: probes the (type, key) index), new rows' ends returned.
_INSERT_BY_KEYS: Final = (
    "INSERT INTO relations (type, from_id, to_id, props, rev, created_at, updated_at) "
    "SELECT ?1, a.id, b.id, json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'), "
    "?2, ?2 FROM json_each(?3) j "
    "CROSS JOIN entities a ON a.type = ?4 AND a.key = json_extract(j.value, '$[0]') "
    "CROSS JOIN entities b ON b.type = ?5 AND b.key = json_extract(j.value, '$[1]') "
    "WHERE true ON CONFLICT (type, from_id, to_id) DO NOTHING RETURNING from_id, to_id"
)
_STORED_BY_KEYS: Final = (
    "SELECT 1 FROM entities a, entities b, relations r "
    "WHERE a.type = ? AND a.key = ? AND b.type = ? AND b.key = ? "
    "AND r.type = ? AND r.from_id = a.id AND r.to_id = b.id"
)


def link_batch(
    conn: sqlite3.Connection, batch: LinkBatch, at: datetime
) -> tuple[WriteResult, MirrorUpdate]:
    """Write ``batch``'s links (new ones inserted, changed ones updated) and its audit
    record; the result, and the mirror's update once the transaction commits."""
    rel = batch.relation_type
    name, now = rel.name, datetime_to_text(at)
    encoded = encode_all(rel, [record.properties for record in batch.links])
    if not _first_stored(conn, batch):
        created = _insert_by_keys(conn, batch, encoded, now)
        if len(created) == len(encoded):
            return _done(conn, batch, Linked(len(created), 0, batch.pairs), created, at)
        edges = _edges(conn, batch)
        new = set(created)
        existing = _stored_revisions(conn, name, [edge for edge in edges if edge not in new])
    else:
        edges = _edges(conn, batch)
        existing = _stored_revisions(conn, name, edges)
        fresh = [
            (name, *edge, props, rev, now, now)
            for edge, (props, rev) in zip(edges, encoded, strict=True)
            if edge not in existing
        ]
        conn.executemany(_INSERT_BY_IDS, fresh)
    created = []
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
    return _done(conn, batch, Linked(len(created), unchanged, changed_ends), created, at)


def _done(
    conn: sqlite3.Connection, batch: LinkBatch, linked: Linked, created: list[Edge], at: datetime
) -> tuple[WriteResult, MirrorUpdate]:
    result, records = link_outcome(batch, linked, at)
    insert_audit(conn, records)
    name = batch.relation_type.name

    def update(mirror: Mirror) -> None:
        mirror.add_edges((f, t, name) for f, t in created)

    return result, update


def _first_stored(conn: sqlite3.Connection, batch: LinkBatch) -> bool:
    """Whether the batch's first link is stored already."""
    if not batch.links:
        return False
    rel, first = batch.relation_type, batch.links[0]
    params = (rel.from_type, first.from_key, rel.to_type, first.to_key, rel.name)
    return conn.execute(_STORED_BY_KEYS, params).fetchone() is not None


def _insert_by_keys(
    conn: sqlite3.Connection, batch: LinkBatch, encoded: Sequence[tuple[str, str]], now: str
) -> list[Edge]:
    """Insert each link whose ends exist and which is not stored yet, its ends found by
    key, in one statement; the (from id, to id) of the rows inserted."""
    rel = batch.relation_type
    rows = [
        [record.from_key, record.to_key, props, rev]
        for record, (props, rev) in zip(batch.links, encoded, strict=True)
    ]
    params = (rel.name, now, canonical_json(rows), rel.from_type, rel.to_type)
    return conn.execute(_INSERT_BY_KEYS, params).fetchall()


def _edges(conn: sqlite3.Connection, batch: LinkBatch) -> list[Edge]:
    """The (from id, to id) of each link; NotFound names every end that does not exist."""
    from_ids, to_ids = endpoint_ids(conn, batch.relation_type, batch.pairs)
    return [(from_ids[c.from_key], to_ids[c.to_key]) for c in batch.links]


def _stored_revisions(conn: sqlite3.Connection, name: str, edges: list[Edge]) -> dict[Edge, str]:
    """The revision of each of ``edges`` stored as a ``name`` relation (absent ones left out)."""
    stored: dict[Edge, str] = {}
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
