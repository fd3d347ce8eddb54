"""Running the embedded store's calls on SQLite threads, each under its deadline.

Writes run on one writer thread and connection, in turn; reads run on a few reader
threads, each on its own connection and in its own read transaction (SQLite in WAL
mode: a read sees one snapshot and never waits for the writer), so one slow read holds
one reader, not the store. Each call runs under its deadline (see :mod:`.workers`): a
call past its time budget, or whose client went away, is stopped and fails with
``TimedOut``; a write stopped this way is rolled back whole.

``:memory:`` databases are private to one connection: there, reads run on the writer.
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar

from graph_crm.errors import StoreUnavailable, TimedOut
from graph_crm.model.registry import Registry
from graph_crm.store.budget import call_deadline
from graph_crm.store.embedded import schema
from graph_crm.store.embedded.workers import Call, Workers
from graph_crm.store.logs import embedded_log, timed_work, work_name
from graph_crm.tracing import traced

R = TypeVar("R")

#: Reader threads (and connections) per store, for reads that may take long.
READERS: Final = 4
#: How long close() waits for the threads to stop their calls and close their connections.
CLOSE_WAIT_SECONDS: Final = 1.0


class CallState(threading.local):
    """What the call running on a worker thread uses (nothing between calls)."""

    conn: sqlite3.Connection | None = None
    call: Call | None = None
    #: The registry of this call's snapshot (None: the process's cached one).
    registry: Registry | None = None
    #: Whether this call runs in a read transaction (a snapshot it may restart).
    reading: bool = False
    #: The call's hold on the mirror: None, "read" or "write".
    mirror_hold: str | None = None


def _retrieve(outcome: asyncio.Future[Any]) -> None:
    # The outcome of a call nobody waits for any more: seen, so asyncio does not log it.
    if not outcome.cancelled():
        outcome.exception()


class Calls:
    """The threads and connections of one database file, and the calls running on them.

    ``on_call_end`` runs on the thread as each call ends, whatever its outcome (the
    database releases the call's hold on the mirror there).
    """

    def __init__(
        self,
        path: str,
        state: CallState,
        on_call_end: Callable[[], None],
        *,
        slow_statement_ms: float,
    ) -> None:
        self.path = path
        self.state = state
        #: A call's unit of work past this many milliseconds is logged (see :mod:`..logs`).
        self.slow_statement_ms = slow_statement_ms
        self._on_call_end = on_call_end
        self.closed = False
        #: Calls waiting for, or running on, a thread.
        self.active: set[Call] = set()
        self.writer = Workers("graph-crm-sqlite-writer", 1, self._connect_writer)
        memory = path == ":memory:"
        self.readers = (
            None if memory else Workers("graph-crm-sqlite-reader", READERS, self._connect_reader)
        )
        #: One more reader, kept for the small reads every request makes (key checks, the
        #: registry, ping): they answer even while slow reads hold every other reader.
        self.quick = None if memory else Workers("graph-crm-sqlite-quick", 1, self._connect_reader)

    def _connect_writer(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            return schema.connect(self.path)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the database {self.path}: {exc}") from None

    def _connect_reader(self) -> sqlite3.Connection:
        try:
            return schema.connect_reader(self.path)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the database {self.path}: {exc}") from None

    async def submit(self, fn: Callable[[], R], *, read: bool, quick: bool = False) -> R:
        """Run ``fn`` on the writer thread, or (``read``) on a reader thread in one read
        transaction; ``quick``: a small read, on the thread that only runs those."""
        if self.closed:
            raise StoreUnavailable("the store is closed")
        workers = (self.quick if quick else self.readers) if read else None
        workers = workers or self.writer
        with call_deadline() as deadline:
            # The worker runs fn in the caller's context: its budget, its deadline.
            context = contextvars.copy_context()
        call = Call(deadline, interruptible=workers is not self.writer)
        fn = traced("sqlite.read" if read else "sqlite.write", fn, **{"db.system.name": "sqlite"})
        future = workers.submit(lambda conn: self._run(conn, call, context, fn, read))
        outcome = asyncio.wrap_future(future)
        self.active.add(call)
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
            self.active.discard(call)

    def _run(
        self,
        conn: sqlite3.Connection,
        call: Call,
        context: contextvars.Context,
        fn: Callable[[], R],
        read: bool,
    ) -> R:
        state = self.state
        state.conn, state.call, state.registry, state.reading = conn, call, None, read
        try:
            with call.running_on(conn):
                if self.closed:
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
            self._on_call_end()
            state.conn, state.call, state.registry, state.reading = None, None, None, False

    def _stopped(self, call: Call) -> TimedOut | StoreUnavailable:
        if self.closed:
            return StoreUnavailable(
                "the store closed while this call ran: it was stopped and wrote nothing"
            )
        return call.deadline.error()

    async def close(self) -> None:
        """Stop every running call, let each thread close its connection; return within
        about :data:`CLOSE_WAIT_SECONDS` even while a query runs."""
        if self.closed:
            return
        self.closed = True
        for call in list(self.active):
            call.stop("the store is closing")
        pools = [p for p in (self.writer, self.readers, self.quick) if p is not None]
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
        conn = self.state.conn
        if conn is None:
            raise StoreUnavailable("the store is closed")
        return conn

    def current_call(self) -> Call:
        """The call running on this thread."""
        call = self.state.call
        if call is None:
            raise StoreUnavailable("the store is closed")
        return call

    def runtime_state(self) -> dict[str, float]:
        readers = self.readers
        return {
            "reader_threads": float(readers.size if readers is not None else 0),
            "reader_threads_busy": float(readers.busy if readers is not None else 0),
            "writer_busy": float(self.writer.busy),
            "calls_active": float(len(self.active)),
        }
