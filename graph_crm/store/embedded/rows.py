"""SQL helpers of the embedded store that every part uses: batches of keys, stored
timestamps, entity rows and counts (plain functions of a connection)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Final, TypeVar

from graph_crm.model.graph import Entity, properties_from_json
from graph_crm.model.registry import RegistryChange
from graph_crm.model.types import EntityType

T = TypeVar("T")

#: Keys per ``IN (...)`` list: well below SQLite's limit on bound parameters.
CHUNK: Final = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def stored_time(value: str) -> datetime:
    """A timestamp as the store writes it (ISO 8601, UTC, ``Z``)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def insert_change(conn: sqlite3.Connection, change: RegistryChange) -> None:
    conn.execute(
        "INSERT INTO registry_changes (version, step, kind, name, actor, at, before, after) "
        "VALUES (:version, :step, :kind, :name, :actor, :at, :before, :after)",
        change.to_record(),
    )


def count_entities(conn: sqlite3.Connection, type_name: str) -> int:
    row = conn.execute("SELECT count(*) FROM entities WHERE type = ?", (type_name,)).fetchone()
    return int(row[0])


def count_relations(conn: sqlite3.Connection, type_name: str) -> int:
    row = conn.execute("SELECT count(*) FROM relations WHERE type = ?", (type_name,)).fetchone()
    return int(row[0])


def entity_from_row(entity_type: EntityType, row: sqlite3.Row | tuple[Any, ...]) -> Entity:
    """An entity from ``(key, props, created_at, updated_at)``."""
    key, props, created, updated = row
    return Entity(
        entity_type.name,
        key,
        properties_from_json(entity_type, json.loads(props)),
        stored_time(created),
        stored_time(updated),
    )


def row_ids(conn: sqlite3.Connection, type_name: str, keys: Sequence[str]) -> dict[str, int]:
    """The row id of each of ``keys`` stored in ``type_name`` (absent keys left out)."""
    found: dict[str, int] = {}
    for chunk in chunks(keys):
        found.update(
            conn.execute(
                f"SELECT key, id FROM entities WHERE type = ? AND key IN "
                f"({', '.join('?' * len(chunk))})",
                (type_name, *chunk),
            ).fetchall()
        )
    return found


def inserted_ids(
    conn: sqlite3.Connection, type_name: str, keys: Sequence[str], last_id: int
) -> dict[str, int]:
    """The row ids of ``keys``, just inserted in this transaction when the highest id was
    ``last_id``: read as the range after it (SQLite gives a new row the highest id + 1),
    or key by key if that range does not hold them all (it picks ids at random once the
    highest possible one is taken)."""
    if not keys:
        return {}
    # "+type": read the id range, not every entity of the type through its index
    found: dict[str, int] = dict(
        conn.execute(
            "SELECT key, id FROM entities WHERE id > ? AND +type = ?", (last_id, type_name)
        ).fetchall()
    )
    if len(found) == len(keys):
        return found
    return row_ids(conn, type_name, keys)
