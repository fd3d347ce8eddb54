"""Fail fast while Neo4j is down or hung; retry only what is worth retrying.

The driver alone waits a long time on a server that stopped: a refused connection is
retried for ``max_transaction_retry_time``, and a query sent to a server that hangs
(stopped, swapped out, a network that drops packets) waits for the server's own
receive-timeout hint, two minutes by default. So the store runs each unit of work
itself (:meth:`Guard.run`):

* transient failures (deadlocks, lock waits) are retried with a short, jittered
  backoff for up to ``retry`` seconds, as the driver would (never a transaction the
  server stopped at its timeout, the call's time budget: it would run as long again);
* a broken or refused connection is retried once, and only if the server answers a
  fresh handshake; otherwise it is :class:`~graph_crm.errors.StoreUnavailable` at once;
* a unit of work that has waited ``stall`` seconds makes the guard check that the
  server still answers (a Bolt handshake and a RESET on a connection of its own, at
  most ``acquire`` seconds); if it does not, the work is cancelled (the driver drops
  its connection, and the server rolls back what was not committed) and the call fails
  with ``StoreUnavailable``. Slow work on a live server goes on undisturbed.

A request against a hung server thus fails within about ``stall + acquire`` seconds,
against a stopped one at once, and the first request after the server is back
succeeds: nothing has to be restarted.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from neo4j import AsyncDriver
from neo4j.exceptions import (
    ConnectionAcquisitionTimeoutError,
    DatabaseUnavailable,
    IncompleteCommit,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph_crm.errors import StoreUnavailable
from graph_crm.store.logs import log_event, neo4j_log
from graph_crm.store.neo4j.errors import is_timeout

R = TypeVar("R")

#: A pooled connection idle this long is checked (RESET) before it is handed out: an idle
#: connection may have been dropped silently (by a firewall, NAT, a restarted server).
IDLE_CHECK_SECONDS: Final = 30.0
#: A probe's verdict is shared by every call that asks within this time.
PROBE_REUSE_SECONDS: Final = 0.5
_BACKOFF_FIRST: Final = 0.05
_BACKOFF_MAX: Final = 1.0

#: A connection that broke or could not be made: retried once if the server answers.
_CONNECTION_FAILURES: Final = (
    ServiceUnavailable,
    SessionExpired,
    ConnectionAcquisitionTimeoutError,
    DatabaseUnavailable,
)


@dataclass(frozen=True)
class Neo4jTimeouts:
    """How long the Neo4j backend waits, in seconds (``GRAPH_CRM_NEO4J_*`` settings)."""

    #: TCP connect and Bolt handshake of a new connection.
    connect: float = 2.0
    #: Getting a connection from the pool: waiting for a free one, checking or opening it
    #: (so best a little more than ``connect``).
    acquire: float = 2.5
    #: How long a call waits on the server before checking that the server still answers.
    stall: float = 1.0
    #: How long transient failures (deadlocks, lock waits) are retried.
    retry: float = 15.0

    def __post_init__(self) -> None:
        for name in ("connect", "acquire", "stall"):
            if not getattr(self, name) > 0:
                raise ValueError(f"the Neo4j {name} timeout must be positive")
        if self.retry < 0:
            raise ValueError("the Neo4j retry time must not be negative")

    def driver_options(self) -> dict[str, Any]:
        """Keyword arguments for ``AsyncGraphDatabase.driver``."""
        return {
            "connection_timeout": self.connect,
            "connection_acquisition_timeout": self.acquire,
            "liveness_check_timeout": IDLE_CHECK_SECONDS,
            # Retries are the guard's: the driver's would retry a refused connection too.
            "max_transaction_retry_time": 0.0,
        }

    def probe_options(self) -> dict[str, Any]:
        """Options of the guard's own one-connection driver, checked before every use."""
        return {**self.driver_options(), "max_connection_pool_size": 1, "liveness_check_timeout": 0}


def _backoff() -> Iterator[float]:
    delay = _BACKOFF_FIRST
    while True:
        yield delay * random.uniform(0.5, 1.5)  # jitter: racing writers spread out
        delay = min(delay * 2, _BACKOFF_MAX)


def _described(error: Exception) -> str:
    """The error's class and server code (never its message: it may quote a query)."""
    code = getattr(error, "code", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _retrieve(task: asyncio.Future[Any]) -> None:
    # A unit of work abandoned after a stall may still end with an error: seen here, so
    # asyncio does not log it as never retrieved.
    if not task.cancelled():
        task.exception()


class Guard:
    """Runs units of work against one server: see the module's docstring."""

    def __init__(self, probe_driver: AsyncDriver, timeouts: Neo4jTimeouts) -> None:
        self._probe_driver = probe_driver
        self.timeouts = timeouts
        self._probe: asyncio.Future[bool] | None = None
        self._probe_started = 0.0
        #: Attempts run again after a transient failure or a broken connection.
        self.retries_total = 0
        #: Units of work running now (each holds, or waits for, one pooled connection).
        self.units_running = 0

    async def close(self) -> None:
        await self._probe_driver.close()

    async def run(self, attempt: Callable[[], Awaitable[R]]) -> R:
        """``attempt()``, retried as the module's docstring says; driver errors that are
        not retried propagate (for :func:`~graph_crm.store.neo4j.errors.translated`)."""
        give_up_at = time.monotonic() + self.timeouts.retry
        delays = _backoff()
        reconnected = False
        attempts = 1
        while True:
            try:
                return await self._watched(attempt)
            except IncompleteCommit:
                raise  # the commit may have happened: not ours to repeat
            except _CONNECTION_FAILURES as error:
                if reconnected or not await self.answering():
                    raise
                reconnected = True
                reason, level, failure = "connection", logging.WARNING, _described(error)
            except TransientError as error:
                if is_timeout(error) or not error.is_retryable() or time.monotonic() > give_up_at:
                    raise
                reason, level, failure = "transient", logging.INFO, _described(error)
            delay = next(delays)
            self.retries_total += 1
            log_event(
                neo4j_log,
                level,
                "retry",
                reason=reason,
                error=failure,
                attempt=attempts,
                delay_ms=round(delay * 1000, 1),
            )
            attempts += 1
            await asyncio.sleep(delay)

    async def _watched(self, attempt: Callable[[], Awaitable[R]]) -> R:
        task = asyncio.ensure_future(attempt())
        task.add_done_callback(_retrieve)
        self.units_running += 1
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=self.timeouts.stall)
                if done:
                    return task.result()
                if not await self.answering():
                    task.cancel()
                    # Give the driver a moment to drop the connection; never wait on it.
                    await asyncio.wait({task}, timeout=self.timeouts.stall)
                    raise StoreUnavailable(
                        f"Neo4j stopped answering (a call waited {self.timeouts.stall:g} s, and "
                        f"a new connection got no answer within {self.timeouts.acquire:g} s); "
                        "a write in flight may or may not have been applied: retry it "
                        "(writes are idempotent)"
                    )
        finally:
            self.units_running -= 1
            if not task.done():
                task.cancel()

    async def answering(self) -> bool:
        """Whether the server answers a fresh handshake and a RESET right now (one probe
        at a time, its verdict shared for :data:`PROBE_REUSE_SECONDS`)."""
        probe = self._probe
        now = time.monotonic()
        stale = probe is None or (probe.done() and now - self._probe_started > PROBE_REUSE_SECONDS)
        if probe is None or stale or probe.get_loop() is not asyncio.get_running_loop():
            self._probe_started = now
            probe = self._probe = asyncio.ensure_future(self._check())
        return await asyncio.shield(probe)

    async def _check(self) -> bool:
        try:
            # The driver bounds this by its acquisition timeout; the outer bound is a
            # safety net should a driver version not.
            await asyncio.wait_for(
                self._probe_driver.verify_connectivity(), self.timeouts.acquire + 1.0
            )
        except Exception:
            return False
        return True
