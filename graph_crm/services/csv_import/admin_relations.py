"""The relations of a bulk import, on disk until the end (:mod:`.admin_files`).

Linking a relation again updates it (or changes nothing), as the online ``MERGE`` does,
so a relation's row is written only once all are known: a temporary SQLite table keyed
by (type, from key, to key) holds each one's revision, property cells and times.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Final

#: Pairs per look-up (two SQLite parameters each).
_CHUNK: Final = 400

#: (type, from key, to key, revision, property cells, createdAt cell, updatedAt cell)
RelationRow = tuple[str, str, str, str, str, str, str]


class RelationIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE rel (type TEXT, src TEXT, dst TEXT, rev TEXT, props TEXT,"
            " created TEXT, updated TEXT, PRIMARY KEY (type, src, dst)) WITHOUT ROWID;"
            "BEGIN"
        )

    def revisions(
        self, relation: str, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """The revisions held of those of ``pairs`` (from key, to key) already linked."""
        found: dict[tuple[str, str], str] = {}
        unique = list(dict.fromkeys(pairs))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("(?, ?)" for _ in chunk)
            flat = [key for pair in chunk for key in pair]
            for src, dst, rev in self.db.execute(
                f"SELECT src, dst, rev FROM rel WHERE type = ? AND (src, dst) IN ({marks})",
                (relation, *flat),
            ):
                found[(src, dst)] = rev
        return found

    def put(self, rows: Iterable[RelationRow]) -> None:
        """A relation held already takes the new revision and properties, and keeps its
        creation time."""
        self.db.executemany(
            "INSERT INTO rel VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (type, src, dst) DO "
            "UPDATE SET rev = excluded.rev, props = excluded.props, updated = excluded.updated",
            rows,
        )

    def rows(self) -> Iterator[RelationRow]:
        """Every relation, by type."""
        yield from self.db.execute(
            "SELECT type, src, dst, rev, props, created, updated FROM rel ORDER BY type, src, dst"
        )

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)
