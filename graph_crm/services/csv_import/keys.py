"""What an import has seen, on disk: its keys, unique values, bad lines and pending links.

A temporary SQLite file, so a file of millions of rows is checked with flat memory: a key
seen twice (in one file or two), a unique value held twice, a link whose end is in
another file, all are looked up here rather than kept in Python sets.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

#: Parameters per IN (...) lookup (SQLite allows 32,766).
CHUNK: Final = 900

_SCHEMA: Final = """
CREATE TABLE keys (type TEXT, key TEXT, file TEXT, line INTEGER, ok INTEGER,
    PRIMARY KEY (type, key))
    WITHOUT ROWID;
CREATE TABLE uniques (type TEXT, prop TEXT, value TEXT, key TEXT, file TEXT, line INTEGER,
    PRIMARY KEY (type, prop, value)) WITHOUT ROWID;
CREATE TABLE bad (file TEXT, line INTEGER, PRIMARY KEY (file, line)) WITHOUT ROWID;
CREATE TABLE links (id INTEGER PRIMARY KEY, relation TEXT, source TEXT, target TEXT,
    file TEXT, line INTEGER, column TEXT);
"""


class Seen:
    """The import's index (a temporary file, deleted on close)."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="graph-crm-import-")
        self.db = sqlite3.connect(Path(self._dir.name) / "seen.db", isolation_level=None)
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        self.db.execute("BEGIN")

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()

    def __enter__(self) -> Seen:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def keys_held(self, type_name: str, keys: Sequence[str]) -> dict[str, tuple[str, int, bool]]:
        """Which of ``keys`` the import's files hold for ``type_name``: key -> (file, line,
        whether its row was accepted)."""
        found: dict[str, tuple[str, int, bool]] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            for key, file, line, ok in self.db.execute(
                f"SELECT key, file, line, ok FROM keys WHERE type = ? AND key IN ({marks})",
                (type_name, *chunk),
            ):
                found[key] = (file, line, bool(ok))
        return found

    def add_keys(
        self, type_name: str, file: str, rows: Iterable[tuple[str, int]], *, ok: bool = True
    ) -> None:
        """Keys of accepted rows (``ok``), or of rejected ones; the first row of a key wins."""
        self.db.executemany(
            "INSERT OR IGNORE INTO keys VALUES (?, ?, ?, ?, ?)",
            ((type_name, key, file, line, int(ok)) for key, line in rows),
        )

    def unique_held(
        self, type_name: str, prop: str, values: Sequence[Any]
    ) -> dict[str, tuple[str, str, int]]:
        """Which of ``values`` (as JSON text) another row of the import holds:
        value -> (key, file, line)."""
        found: dict[str, tuple[str, str, int]] = {}
        texts = [json.dumps(value, sort_keys=True, default=str) for value in values]
        for chunk in _chunks(texts):
            marks = ",".join("?" * len(chunk))
            for value, key, file, line in self.db.execute(
                "SELECT value, key, file, line FROM uniques "
                f"WHERE type = ? AND prop = ? AND value IN ({marks})",
                (type_name, prop, *chunk),
            ):
                found[value] = (key, file, line)
        return found

    def add_unique(
        self, type_name: str, prop: str, file: str, rows: Iterable[tuple[Any, str, int]]
    ) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO uniques VALUES (?, ?, ?, ?, ?, ?)",
            (
                (type_name, prop, json.dumps(value, sort_keys=True, default=str), key, file, line)
                for value, key, line in rows
            ),
        )

    def mark_bad(self, file: str, lines: Iterable[int]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO bad VALUES (?, ?)", ((file, n) for n in lines))

    def bad_lines(self, file: str) -> set[int]:
        return {line for (line,) in self.db.execute("SELECT line FROM bad WHERE file = ?", (file,))}

    def add_links(self, rows: Iterable[tuple[str, str, str, str, int, str]]) -> None:
        self.db.executemany(
            "INSERT INTO links (relation, source, target, file, line, column) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )

    def link_counts(self) -> dict[str, int]:
        """Per file, its links of good lines."""
        return dict(
            self.db.execute(
                "SELECT file, COUNT(*) FROM links WHERE NOT EXISTS (SELECT 1 FROM bad "
                "WHERE bad.file = links.file AND bad.line = links.line) GROUP BY file"
            ).fetchall()
        )

    def pending_links(self, batch: int) -> Iterator[list[tuple[str, str, str, str, int, str]]]:
        """The links of entity files, in batches, in the order read."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT id, relation, source, target, file, line, column FROM links "
                "WHERE id > ? ORDER BY id LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [tuple(row[1:]) for row in rows]


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
