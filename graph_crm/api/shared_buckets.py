"""The rate limit of one ``graph-crm serve``, however many worker processes it runs.

``graph-crm serve --workers N`` makes a private run directory (:func:`serve_run_dir`) and
names it in ``GRAPH_CRM_RUN_DIR``; each worker's :func:`open_rate_limiter` then keeps its
token buckets in one SQLite file there, so a key gets its role's limit from the server,
not from each worker. A request costs one ``BEGIN IMMEDIATE`` read-and-update of its
key's row (the file is written without fsync: a bucket needs no durability, and WAL keeps
it whole if a worker dies mid-update), whatever the store's backend.

Every worker reads ``time.monotonic``: one clock for the whole machine (Linux
``CLOCK_MONOTONIC``), so a bucket refilled in one process means the same in another.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Final

from graph_crm.api.role_limits import RateLimiter, rate_limited, refill

#: Names the run directory of the ``graph-crm serve`` a worker belongs to.
RUN_DIR_ENV: Final = "GRAPH_CRM_RUN_DIR"
BUCKETS_FILE: Final = "rate-buckets.db"
#: A bucket untouched this long is full again, the same as no row: it may be dropped.
_IDLE_SECONDS: Final = 60.0
#: Every this many takes, idle buckets are dropped, so the file holds recent keys only.
_PRUNE_EVERY: Final = 1024
#: How long a worker waits for another's update before it falls back to its own bucket.
_BUSY_SECONDS: Final = 2.0

logger = logging.getLogger("graph_crm.api")


def _connect(path: Path, busy_timeout: float = _BUSY_SECONDS) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
    )
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS bucket "
        "(key TEXT PRIMARY KEY, tokens REAL NOT NULL, at REAL NOT NULL) WITHOUT ROWID"
    )
    return conn


class SharedRateLimiter(RateLimiter):
    """:class:`RateLimiter`, with the buckets in a SQLite file the workers share.

    Should the file fail (disk full, removed), a worker falls back to its own in-process
    buckets: the limit then holds per worker, as before, rather than not at all, and
    the server keeps answering. It returns to the file once the file answers again.
    """

    def __init__(
        self,
        path: str | Path,
        clock: Callable[[], float] = time.monotonic,
        *,
        busy_timeout: float = _BUSY_SECONDS,
    ) -> None:
        super().__init__(clock)
        self.path = Path(path)
        self._conn = _connect(self.path, busy_timeout)
        self._takes = 0
        self._degraded = False

    def take(self, key: str, per_minute: int) -> None:
        try:
            with self._lock:
                wait = self._take_shared(key, per_minute)
        except sqlite3.Error:
            if not self._degraded:
                logger.exception(
                    "the shared rate-limit file %s failed: limiting per worker", self.path
                )
            self._degraded = True
            super().take(key, per_minute)
            return
        if self._degraded:
            logger.warning("the shared rate-limit file %s answers again", self.path)
            self._degraded = False
        if wait:
            raise rate_limited(per_minute, wait)

    def _take_shared(self, key: str, per_minute: int) -> float:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            now = self._clock()  # read under the lock: updates happen in clock order
            row = conn.execute("SELECT tokens, at FROM bucket WHERE key = ?", (key,)).fetchone()
            tokens, at = row if row is not None else (float(per_minute), now)
            tokens, wait = refill(tokens, at, now, per_minute)
            conn.execute(
                "INSERT INTO bucket (key, tokens, at) VALUES (?, ?, ?) ON CONFLICT (key) "
                "DO UPDATE SET tokens = excluded.tokens, at = excluded.at",
                (key, tokens, max(at, now)),
            )
            self._takes += 1
            if self._takes % _PRUNE_EVERY == 0:
                conn.execute("DELETE FROM bucket WHERE at < ?", (now - _IDLE_SECONDS,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return wait

    def close(self) -> None:
        self._conn.close()


def open_rate_limiter(environ: Mapping[str, str] | None = None) -> RateLimiter:
    """The rate limiter of this process: shared with the other workers of its
    ``graph-crm serve`` when ``GRAPH_CRM_RUN_DIR`` names their run directory, else
    its own."""
    run_dir = (os.environ if environ is None else environ).get(RUN_DIR_ENV)
    return SharedRateLimiter(Path(run_dir) / BUCKETS_FILE) if run_dir else RateLimiter()


@contextlib.contextmanager
def serve_run_dir() -> Iterator[Path]:
    """A new private directory (mode 0700) for the workers of one ``graph-crm serve``,
    with the rate-limit file ready; removed with everything in it on the way out."""
    run_dir = Path(tempfile.mkdtemp(prefix="graph-crm-serve-"))
    try:
        _connect(run_dir / BUCKETS_FILE).close()  # made once, before the workers race to it
        yield run_dir
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
