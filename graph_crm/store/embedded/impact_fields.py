"""The few entity fields an impact plan reads, loaded from SQLite in bulk and kept per row.

One statement per entity type per batch asked for (``json_each`` takes the whole batch
of row ids), extracting only the properties the plan names that the type has, so a
report costs a few statements whatever the number of entities it touches.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind
from graph_crm.store.embedded.sql import sql_value


def _datetime(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


#: Stored JSON form -> canonical value (SQLite's JSON functions give booleans as 0 / 1).
_DECODE: dict[PropertyKind, Callable[[Any], Any]] = {
    PropertyKind.DATETIME: _datetime,
    PropertyKind.DATE: date.fromisoformat,
    PropertyKind.FLOAT: float,
    PropertyKind.BOOLEAN: bool,
}
_SYSTEM = {"createdAt": "created_at", "updatedAt": "updated_at"}


@dataclass(frozen=True, slots=True)
class _TypeQuery:
    sql: str
    paths: tuple[str, ...]
    #: (field name, decoder) for each selected column after id and key.
    columns: tuple[tuple[str, Callable[[Any], Any] | None], ...]


class PlanFields:
    """Call it with row ids: ``{row id: {field: value}}`` (missing values left out)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        registry: Registry,
        names: Iterable[str],
        type_of: Callable[[int], str],
    ) -> None:
        self._conn = conn
        self._registry = registry
        self._names = frozenset(names)
        self._type_of = type_of
        self._queries: dict[str, _TypeQuery] = {}
        self._cache: dict[int, dict[str, Any]] = {}

    def _query(self, type_name: str) -> _TypeQuery:
        if type_name not in self._queries:
            entity_type = self._registry.entity_types[type_name]
            columns: list[tuple[str, Callable[[Any], Any] | None]] = []
            selected: list[str] = []
            for name in sorted(self._names & set(_SYSTEM)):
                columns.append((name, _datetime))
                selected.append(_SYSTEM[name])
            paths = []
            for spec in entity_type.properties:
                if spec.name in self._names:
                    columns.append((spec.name, _DECODE.get(spec.kind)))
                    selected.append("json_extract(props, ?)")
                    # names are pattern-checked camelCase, and a parameter here anyway
                    paths.append(f"$.{spec.name}")
            self._queries[type_name] = _TypeQuery(
                "SELECT id, key"
                + "".join(f", {column}" for column in selected)
                + " FROM entities WHERE id IN (SELECT value FROM json_each(?))",
                tuple(paths),
                tuple(columns),
            )
        return self._queries[type_name]

    def __call__(self, rows: Iterable[int]) -> Mapping[int, Mapping[str, Any]]:
        wanted = list(rows)
        missing: dict[str, list[int]] = {}
        for row in wanted:
            if row not in self._cache:
                missing.setdefault(self._type_of(row), []).append(row)
        for type_name, ids in missing.items():
            self._load(type_name, ids)
        return {row: self._cache.get(row, {}) for row in wanted}

    def _load(self, type_name: str, ids: list[int]) -> None:
        query = self._query(type_name)
        cache = self._cache
        for row_id, key, *values in self._conn.execute(query.sql, (*query.paths, json.dumps(ids))):
            fields: dict[str, Any] = {"key": key}
            for (name, decode), value in zip(query.columns, values, strict=True):
                if value is not None:
                    fields[name] = value if decode is None else decode(value)
            cache[row_id] = fields
        for row_id in ids:
            cache.setdefault(row_id, {})

    def within(self, rows: Iterable[int], name: str, start: Any, end: Any) -> set[int]:
        """The rows whose ``name`` lies in [start, end] (dates compared as stored text)."""
        wanted = list(rows)
        if not wanted:
            return set()
        # Stored DATE / DATETIME text is fixed-width ISO 8601 UTC: text order is time order.
        found = self._conn.execute(
            "SELECT id FROM entities WHERE id IN (SELECT value FROM json_each(?)) "
            "AND json_extract(props, ?) BETWEEN ? AND ?",
            (json.dumps(wanted), f"$.{name}", sql_value(start), sql_value(end)),
        )
        return {row_id for (row_id,) in found}
