"""The embedded store's threads, each with its own SQLite connection, and the calls on them.

SQLite in WAL mode lets readers run beside the one writer, each on its own connection,
so the store runs one writer thread (every write, in turn) and a few reader threads (a
slow read holds one of them, not the store). A thread opens its connection on its first
job and closes it when it stops.

A :class:`Call` is one store call running on a thread. It is stopped by its deadline
(the time budget) or on purpose (its client went away, the store is closing): the
connection's progress handler asks :meth:`Call.should_stop` every
:data:`PROGRESS_OPS` virtual-machine steps and aborts the statement when it says so;
Python loops over the mirror check the deadline themselves.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from typing import Any, Final, Generic, TypeVar

from graph_crm.store.budget import Deadline

R = TypeVar("R")

#: SQLite virtual-machine steps between two checks of the deadline (a few tens of
#: microseconds of work; a check costs well under a microsecond).
PROGRESS_OPS: Final = 1_000


class Call:
    """One store call on a worker thread: its deadline and the connection it runs on."""

    __slots__ = ("_conn", "_lock", "deadline", "exempt", "interruptible")

    def __init__(self, deadline: Deadline, *, interruptible: bool) -> None:
        self.deadline = deadline
        #: Whether :meth:`stop` may ``interrupt()`` the connection (readers only: a write
        #: is stopped by its progress handler, so its own ROLLBACK always runs).
        self.interruptible = interruptible
        #: Set while doing work the time budget does not bound (rebuilding the mirror).
        self.exempt = False
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def should_stop(self) -> bool:
        deadline = self.deadline
        return deadline.stopped or (not self.exempt and deadline.expired)

    def _progress(self) -> int:
        return 1 if self.should_stop() else 0

    @contextmanager
    def running_on(self, conn: sqlite3.Connection) -> Any:
        """Attach the call to ``conn`` (and its progress handler) while it runs there."""
        with self._lock:
            self._conn = conn
        conn.set_progress_handler(self._progress, PROGRESS_OPS)
        try:
            yield
        finally:
            conn.set_progress_handler(None, 0)
            with self._lock:
                self._conn = None

    @contextmanager
    def unbudgeted(self) -> Any:
        """Work the time budget does not stop (a stop on purpose still does)."""
        self.exempt = True
        try:
            yield
        finally:
            self.exempt = False

    def stop(self, reason: str) -> None:
        """Stop the call from any thread: the next deadline check or SQLite step fails."""
        self.deadline.stop(reason)
        with self._lock:
            if self._conn is not None and self.interruptible:
                self._conn.interrupt()


class _Job(Generic[R]):
    __slots__ = ("future", "run")

    def __init__(self, run: Callable[[sqlite3.Connection], R]) -> None:
        self.run = run
        self.future: Future[R] = Future()


class Workers:
    """``size`` threads taking jobs from one queue; each job gets the thread's connection."""

    def __init__(self, name: str, size: int, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self.size = size
        #: Threads running a job now (a gauge: read without a lock, it may be a job off).
        self.busy = 0
        self._busy_lock = threading.Lock()
        self._jobs: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        # Daemon threads: a job stuck in code that checks no deadline must not keep the
        # process from exiting after close().
        self._threads = [
            threading.Thread(target=self._serve, name=f"{name}-{index}", daemon=True)
            for index in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, run: Callable[[sqlite3.Connection], R]) -> Future[R]:
        job = _Job(run)
        self._jobs.put(job)
        return job.future

    def stop(self) -> None:
        """Let each thread finish its job, close its connection and exit."""
        for _ in self._threads:
            self._jobs.put(None)

    def join(self, until: float) -> None:
        """Wait for the threads to exit, until ``until`` (``time.monotonic()``) at most."""
        for thread in self._threads:
            thread.join(max(0.0, until - time.monotonic()))

    def _serve(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                if not job.future.set_running_or_notify_cancel():
                    continue  # its caller stopped waiting before it started
                self._count_busy(+1)
                try:
                    if conn is None:
                        conn = self._connect()
                    result = job.run(conn)
                except BaseException as exc:
                    # no longer busy before the caller hears: it may read the gauge next
                    self._count_busy(-1)
                    job.future.set_exception(exc)
                else:
                    self._count_busy(-1)
                    job.future.set_result(result)
                conn = _settled(conn)
        finally:
            if conn is not None:
                conn.close()

    def _count_busy(self, change: int) -> None:
        with self._busy_lock:
            self.busy += change


def _settled(conn: sqlite3.Connection | None) -> sqlite3.Connection | None:
    """The connection, with no transaction left open; None if it cannot be trusted (it is
    closed, and the thread opens a new one for its next job)."""
    if conn is None or not conn.in_transaction:
        return conn
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        with suppress(sqlite3.Error):
            conn.close()
        return None
    return conn
