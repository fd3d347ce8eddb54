"""Shared plumbing of the embedded store: its threads and connections, freshness of the
registry and the mirror, the write transaction, and how a call is stopped.

Writes run on one writer thread and connection, in turn; reads run on a few reader
threads, each on its own connection and in its own read transaction (SQLite in WAL
mode: a read sees one snapshot and never waits for the writer), so one slow read holds
one reader, not the store. Each call runs under its deadline (see :mod:`.workers`): a
call past its time budget, or whose client went away, is stopped and fails with
``TimedOut``; a write stopped this way is rolled back whole and never reaches the mirror.

The registry is cached for the process and re-read when ``meta.registry_version``
moves; a call sees the registry of its own snapshot (a thread-local), so a reader never
mixes versions with a writer defining a type at the same time.

The networkx mirror is shared by every thread under a :class:`MirrorLock`: a call that
traverses holds it for reading until it ends; a graph write holds it exclusively from
its COMMIT to the end of its call, so it updates the mirror in place while nobody reads
it, and a reader never sees SQLite and the mirror at different generations. Every write
transaction that may change the graph bumps ``meta.generation``; a mirror built at
another generation (another process wrote, or updating the mirror failed) is rebuilt by
the next call that traverses, exclusively, from that call's snapshot. A rebuild is not
bounded by the caller's time budget (every later traversal needs it; a budget shorter
than a rebuild would otherwise make traversal impossible), only stopped on purpose.

``:memory:`` databases are private to one connection: there, reads run on the writer.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path as FsPath
from typing import Any, Final, TypeVar

from graph_crm.errors import StoreUnavailable, TimedOut
from graph_crm.model.graph import (
    Entity,
    properties_from_json,
)
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.types import EntityType
from graph_crm.store.budget import call_deadline
from graph_crm.store.embedded import schema
from graph_crm.store.embedded.mirror import Mirror
from graph_crm.store.embedded.mirror_lock import MirrorLock
from graph_crm.store.embedded.workers import Call, Workers
from graph_crm.store.logs import SLOW_STATEMENT_MS, embedded_log, log_event, timed_work, work_name

R = TypeVar("R")

_CHUNK = 500
#: Reader threads (and connections) per store, for reads that may take long.
READERS: Final = 4
#: How long close() waits for the threads to stop their calls and close their connections.
CLOSE_WAIT_SECONDS: Final = 1.0


def _chunks(items: Sequence[R], size: int = _CHUNK) -> Iterator[Sequence[R]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def insert_change(conn: sqlite3.Connection, change: RegistryChange) -> None:
    conn.execute(
        "INSERT INTO registry_changes (version, kind, name, actor, at, before, after) "
        "VALUES (:version, :kind, :name, :actor, :at, :before, :after)",
        change.to_record(),
    )


def _retrieve(outcome: asyncio.Future[Any]) -> None:
    # The outcome of a call nobody waits for any more: seen, so asyncio does not log it.
    if not outcome.cancelled():
        outcome.exception()


class _ThreadState(threading.local):
    """What the call running on a worker thread uses (nothing between calls)."""

    conn: sqlite3.Connection | None = None
    call: Call | None = None
    #: The registry of this call's snapshot (None: the process's cached one).
    registry: Registry | None = None
    #: Whether this call runs in a read transaction (a snapshot it may restart).
    reading: bool = False
    #: The call's hold on the mirror: None, "read" or "write".
    mirror_hold: str | None = None


class EmbeddedCore:
    """State and helpers every part of the embedded store shares."""

    def __init__(self, path: str | FsPath, *, slow_statement_ms: float = SLOW_STATEMENT_MS) -> None:
        self.path = str(path)
        #: A call's unit of work past this many milliseconds is logged (see :mod:`..logs`).
        self.slow_statement_ms = slow_statement_ms
        self._local = _ThreadState()
        self._cached_registry = Registry()
        self._mirror: Mirror | None = None
        self._mirror_lock = MirrorLock()
        self._mirror_rebuilds = 0
        self._closed = False
        self._active: set[Call] = set()
        self._writer = Workers("graph-crm-sqlite-writer", 1, self._connect_writer)
        memory = self.path == ":memory:"
        self._readers = (
            None if memory else Workers("graph-crm-sqlite-reader", READERS, self._connect_reader)
        )
        #: One more reader, kept for the small reads every request makes (key checks, the
        #: registry, ping): they answer even while slow reads hold every other reader.
        self._quick = None if memory else Workers("graph-crm-sqlite-quick", 1, self._connect_reader)

    # -- connections and calls ---------------------------------------------------------

    def _connect_writer(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            FsPath(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            return schema.connect(self.path)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the database {self.path}: {exc}") from None

    def _connect_reader(self) -> sqlite3.Connection:
        try:
            return schema.connect_reader(self.path)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the database {self.path}: {exc}") from None

    def _open(self) -> None:
        self._refresh()

    async def _call(self, fn: Callable[[], R]) -> R:
        """Run ``fn`` on the writer thread (every write, and what must see its own writes)."""
        return await self._submit(fn, read=False)

    async def _read(self, fn: Callable[[], R], *, quick: bool = False) -> R:
        """Run ``fn`` on a reader thread, in one read transaction (one snapshot); ``quick``:
        a small read of a few rows, on the thread that only runs those."""
        return await self._submit(fn, read=True, quick=quick)

    async def _guarded(self, fn: Callable[[], R]) -> R:
        return await self._call(fn)

    async def _submit(self, fn: Callable[[], R], *, read: bool, quick: bool = False) -> R:
        if self._closed:
            raise StoreUnavailable("the store is closed")
        workers = (self._quick if quick else self._readers) if read else None
        workers = workers or self._writer
        with call_deadline() as deadline:
            # The worker runs fn in the caller's context: its budget, its deadline.
            context = contextvars.copy_context()
        call = Call(deadline, interruptible=workers is not self._writer)
        future = workers.submit(lambda conn: self._run(conn, call, context, fn, read))
        outcome = asyncio.wrap_future(future)
        self._active.add(call)
        try:
            done, _ = await asyncio.wait({outcome}, timeout=call.deadline.remaining())
            if not done and future.cancel():
                # out of time while queued behind other calls (a write behind a write)
                raise call.deadline.error()
            # Running: the call stops itself at its deadline, unless it is committing
            # (then it commits, and says so).
            return await outcome
        except asyncio.CancelledError:
            # The client went away: free the thread now rather than when the call ends.
            call.stop("its client went away")
            future.cancel()
            outcome.add_done_callback(_retrieve)
            raise
        finally:
            self._active.discard(call)

    def _run(
        self,
        conn: sqlite3.Connection,
        call: Call,
        context: contextvars.Context,
        fn: Callable[[], R],
        read: bool,
    ) -> R:
        local = self._local
        local.conn, local.call, local.registry, local.reading = conn, call, None, read
        try:
            with call.running_on(conn):
                if self._closed:
                    raise StoreUnavailable("the store is closed")
                call.deadline.check()
                if read:
                    conn.execute("BEGIN")
                with timed_work(embedded_log, "embedded", work_name(fn), self.slow_statement_ms):
                    return context.run(fn)
        except sqlite3.OperationalError:
            if call.should_stop():
                raise self._stopped(call) from None
            raise
        except TimedOut:
            raise self._stopped(call) from None
        finally:
            self._release_mirror()
            local.conn, local.call, local.registry, local.reading = None, None, None, False

    def _stopped(self, call: Call) -> TimedOut | StoreUnavailable:
        if self._closed:
            return StoreUnavailable(
                "the store closed while this call ran: it was stopped and wrote nothing"
            )
        return call.deadline.error()

    async def close(self) -> None:
        """Stop every running call, let each thread close its connection; return within
        about :data:`CLOSE_WAIT_SECONDS` even while a query runs."""
        if self._closed:
            return
        self._closed = True
        for call in list(self._active):
            call.stop("the store is closing")
        pools = [p for p in (self._writer, self._readers, self._quick) if p is not None]
        for pool in pools:
            pool.stop()

        def join() -> None:
            until = time.monotonic() + CLOSE_WAIT_SECONDS
            for pool in pools:
                pool.join(until)

        await asyncio.to_thread(join)

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection of the call running on this thread."""
        conn = self._local.conn
        if conn is None:
            raise StoreUnavailable("the store is closed")
        return conn

    @property
    def _registry(self) -> Registry:
        registry = self._local.registry
        return self._cached_registry if registry is None else registry

    @_registry.setter
    def _registry(self, registry: Registry) -> None:
        self._local.registry = registry

    async def ping(self) -> None:
        await self._read(lambda: self.conn.execute("SELECT 1").fetchone(), quick=True)

    def runtime_state(self) -> dict[str, float]:
        """Gauges and counters of this process's store, read without IO or locks:

        ``mirror_entities``, ``mirror_relations``: what the networkx mirror holds now (0
        while there is none: before the first traversal, or after it was discarded);
        ``mirror_rebuilds_total``: mirrors built from SQLite since the store opened;
        ``reader_threads``, ``reader_threads_busy``: the reader threads and those running
        a call now; ``writer_busy``: 1 while a call runs on the writer thread;
        ``calls_active``: store calls waiting for or running on a thread.
        """
        mirror = self._mirror
        readers = self._readers
        return {
            "mirror_entities": float(mirror.entities if mirror is not None else 0),
            "mirror_relations": float(mirror.edges if mirror is not None else 0),
            "mirror_rebuilds_total": float(self._mirror_rebuilds),
            "reader_threads": float(readers.size if readers is not None else 0),
            "reader_threads_busy": float(readers.busy if readers is not None else 0),
            "writer_busy": float(self._writer.busy),
            "calls_active": float(len(self._active)),
        }

    # -- freshness ---------------------------------------------------------------------

    def _meta(self) -> dict[str, int]:
        return {
            name: int(value) for name, value in self.conn.execute("SELECT name, value FROM meta")
        }

    def _refresh(self) -> Registry:
        """This call's registry: the cached one, or re-read if another writer moved it."""
        return self._refresh_meta()[0]

    def _refresh_meta(self) -> tuple[Registry, int]:
        meta = self._meta()
        version = meta["registry_version"]
        cached = self._cached_registry
        if version == cached.version and version != 0:
            registry = cached
        else:
            registry = self._load_registry(version)
            if registry.version >= cached.version:
                self._cached_registry = registry
        self._local.registry = registry
        return registry, meta["generation"]

    def _load_registry(self, version: int) -> Registry:
        rows = self.conn.execute("SELECT kind, definition FROM type_defs ORDER BY name")
        return Registry.from_stored(version, ((kind, json.loads(text)) for kind, text in rows))

    # -- the mirror --------------------------------------------------------------------

    def _ensure_mirror(self) -> Mirror:
        """The mirror at this call's snapshot, held for reading until the call ends.

        Call it before reading anything else: the call's snapshot restarts once the
        mirror is held, so SQLite and the mirror show the same generation.
        """
        local, lock = self._local, self._mirror_lock
        if local.mirror_hold is not None and self._mirror is not None:
            return self._mirror
        call = self._current_call()
        lock.acquire_read(call.deadline)
        local.mirror_hold = "read"
        self._restart_snapshot()
        _, generation = self._refresh_meta()
        mirror = self._mirror
        if mirror is not None and mirror.generation == generation:
            return mirror
        lock.release_read()
        local.mirror_hold = None
        lock.acquire_write(call.deadline)
        local.mirror_hold = "write"
        self._restart_snapshot()
        _, generation = self._refresh_meta()
        if self._mirror is None or self._mirror.generation != generation:
            self._mirror = None  # let the old graph go before the new one is built
            started = time.perf_counter()
            with call.unbudgeted():
                self._mirror = Mirror.load(self.conn, generation)
            self._mirror_rebuilds += 1
            log_event(
                embedded_log,
                logging.INFO,
                "mirror_rebuilt",
                generation=generation,
                entities=self._mirror.entities,
                relations=self._mirror.edges,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
        # Still held exclusively: this call goes on with the mirror it built.
        return self._mirror

    def _restart_snapshot(self) -> None:
        if self._local.reading:
            self.conn.execute("ROLLBACK")
            self.conn.execute("BEGIN")

    def _hold_mirror_exclusively(self) -> None:
        local = self._local
        if local.mirror_hold == "write":
            return
        if local.mirror_hold is not None:
            raise AssertionError("a call holding the mirror for reading cannot write it")
        self._mirror_lock.acquire_write(self._current_call().deadline)
        local.mirror_hold = "write"

    def _release_mirror(self) -> None:
        hold, self._local.mirror_hold = self._local.mirror_hold, None
        if hold == "read":
            self._mirror_lock.release_read()
        elif hold == "write":
            self._mirror_lock.release_write()

    def _current_call(self) -> Call:
        call = self._local.call
        if call is None:
            raise StoreUnavailable("the store is closed")
        return call

    # -- writes ------------------------------------------------------------------------

    @contextmanager
    def _write(self, *, graph: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction; bumps the generation; rolls back on any error.

        ``graph=False`` is for writes that leave entities and relations alone (API keys):
        the generation stays, so no mirror, in this process or another, is rebuilt for them.
        A graph write takes the mirror exclusively before it commits (waiting, within its
        deadline, for the traversals in progress), and keeps it to the end of its call.
        A write whose deadline has passed when it is about to commit is rolled back; once
        it commits it is no longer stopped.
        """
        conn = self.conn
        deadline = self._current_call().deadline
        deadline.check()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._refresh()
            yield conn
            if graph:
                conn.execute("UPDATE meta SET value = value + 1 WHERE name = 'generation'")
                self._hold_mirror_exclusively()
            deadline.check()
            conn.set_progress_handler(None, 0)
            conn.execute("COMMIT")
            # a definition change committed: its registry is now the process's
            written = self._local.registry
            if written is not None and written.version > self._cached_registry.version:
                self._cached_registry = written
        except BaseException:
            conn.set_progress_handler(None, 0)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _after_write(self, update: Callable[[Mirror], None]) -> None:
        """Apply a committed write to the mirror, or drop the mirror if that fails."""
        mirror = self._mirror
        if mirror is None:
            return
        generation = self._meta()["generation"]
        if generation != mirror.generation + 1:
            self._mirror = None
            log_event(
                embedded_log,
                logging.INFO,
                "mirror_discarded",
                reason="another writer moved the generation",
                generation=generation,
                mirror_generation=mirror.generation,
            )
            return
        try:
            update(mirror)
            mirror.generation = generation
        except Exception as error:
            # The commit stands; a mirror we cannot trust is rebuilt from SQLite.
            self._mirror = None
            log_event(
                embedded_log,
                logging.WARNING,
                "mirror_discarded",
                reason="updating it after a commit failed",
                generation=generation,
                error=f"{type(error).__name__}: {error}"[:300],
            )

    def _count_entities(self, conn: sqlite3.Connection, type_name: str) -> int:
        row = conn.execute("SELECT count(*) FROM entities WHERE type = ?", (type_name,)).fetchone()
        return int(row[0])

    def _count_relations(self, conn: sqlite3.Connection, type_name: str) -> int:
        row = conn.execute("SELECT count(*) FROM relations WHERE type = ?", (type_name,)).fetchone()
        return int(row[0])

    def _entity_from_row(
        self, entity_type: EntityType, row: sqlite3.Row | tuple[Any, ...]
    ) -> Entity:
        key, props, created, updated = row
        return Entity(
            entity_type.name,
            key,
            properties_from_json(entity_type, json.loads(props)),
            _ts(created),
            _ts(updated),
        )

    def _row_ids(
        self, conn: sqlite3.Connection, type_name: str, keys: Sequence[str]
    ) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(keys):
            found.update(
                conn.execute(
                    f"SELECT key, id FROM entities WHERE type = ? AND key IN "
                    f"({', '.join('?' * len(chunk))})",
                    (type_name, *chunk),
                ).fetchall()
            )
        return found
