"""Units of work on Neo4j: managed transactions and auto-commit statements, each run
through the :class:`~graph_crm.store.neo4j.availability.Guard`.

Writes are managed transactions; batches are ``UNWIND``ed. Transient failures are
retried by the guard, and a server that is down or hung fails the call fast with
``StoreUnavailable``.

Every transaction carries the time its store call has left as its timeout (the call's
deadline starts where the call does, from the caller's budget): the server terminates a
transaction past it and rolls it back, which the call reports as ``TimedOut``. The
server checks timeouts every ``db.transaction.monitor.check.interval`` (2 s by
default), so a call may overrun its budget by up to that much. A call whose awaiting
coroutine is cancelled (its client went away) makes the driver drop the connection, and
the server terminates the transaction of a dropped connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, LiteralString, TypeVar

from neo4j import (
    READ_ACCESS,
    WRITE_ACCESS,
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    Query,
    unit_of_work,
)

from graph_crm.errors import StoreUnavailable
from graph_crm.store.budget import Deadline, call_deadline, current_deadline
from graph_crm.store.logs import neo4j_log, timed_work, work_name
from graph_crm.store.neo4j.availability import Guard, Neo4jTimeouts
from graph_crm.store.neo4j.errors import translated
from graph_crm.tracing import statement_span

R = TypeVar("R")
Work = Callable[[AsyncManagedTransaction], Awaitable[R]]


def new_driver(
    uri: str, auth: tuple[str, str] | None, timeouts: Neo4jTimeouts, *, probe: bool = False
) -> AsyncDriver:
    """A driver with the store's timeouts (``probe``: the guard's one-connection driver)."""
    return AsyncGraphDatabase.driver(
        uri,
        auth=auth,
        **(timeouts.probe_options() if probe else timeouts.driver_options()),
        # Queries name labels that may not exist yet: those warnings are expected noise.
        notifications_min_severity="OFF",
    )


def _tx_timeout(deadline: Deadline) -> float | None:
    """The server-side timeout of a transaction started now; TimedOut if none is left."""
    remaining = deadline.remaining()
    if remaining is None:
        return None
    if remaining <= 0:
        raise deadline.error()
    return remaining


def _statement_head(query: str) -> str:
    """A statement's first line of Cypher (its file's comments skipped), for the log."""
    lines = (line.strip() for line in query.splitlines())
    return next((line[:120] for line in lines if line and not line.startswith("//")), "")


class Transactions:
    """One database of one server, through one driver and its guard."""

    def __init__(
        self, driver: AsyncDriver, database: str, guard: Guard, *, slow_statement_ms: float
    ) -> None:
        self.driver = driver
        self.database = database
        self.guard = guard
        #: A unit of work past this many milliseconds is logged (see :mod:`..logs`).
        self.slow_statement_ms = slow_statement_ms

    async def close(self) -> None:
        try:
            await self.driver.close()
        finally:
            await self.guard.close()

    async def ping(self) -> None:
        if not await self.guard.answering():
            raise StoreUnavailable("Neo4j does not answer")

    def runtime_state(self) -> dict[str, float]:
        return {
            "units_running": float(self.guard.units_running),
            "retries_total": float(self.guard.retries_total),
        }

    async def auto(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """An auto-commit statement (schema changes must run outside data transactions)."""
        return await self._auto(WRITE_ACCESS, query, params)

    async def read_statement(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """One read statement as an auto-commit transaction: one round trip (a managed
        transaction adds BEGIN and COMMIT), for the reads every request makes (its key
        and registry; a compiled query). Retried by the guard like any read.

        Its rows come as the driver reads them, so ``query`` returns maps, lists and
        values, never nodes, relationships or paths: ``Record.data()``, which would turn
        those into maps, walks every nested value again in Python (a tenth of a compiled
        page's server time)."""
        return await self._auto(READ_ACCESS, query, params, as_read=True)

    async def _auto(
        self, access: str, query: LiteralString, params: dict[str, Any], *, as_read: bool = False
    ) -> list[dict[str, Any]]:
        async def attempt() -> list[dict[str, Any]]:
            statement = Query(query, timeout=_tx_timeout(current_deadline()))
            with timed_work(neo4j_log, "neo4j", _statement_head(query), self.slow_statement_ms):
                async with self.driver.session(
                    database=self.database, default_access_mode=access
                ) as session:
                    with statement_span("neo4j", query):
                        result = await session.run(statement, params)
                        if as_read:
                            return [
                                dict(zip(record.keys(), record, strict=True))
                                async for record in result
                            ]
                        return await result.data()

        with call_deadline():
            async with translated():
                return await self.guard.run(attempt)

    async def write(self, work: Work[R]) -> R:
        """``work`` in a managed write transaction."""
        return await self._managed(WRITE_ACCESS, work)

    async def read(self, work: Work[R]) -> R:
        """``work`` in a managed read transaction."""
        return await self._managed(READ_ACCESS, work)

    async def _managed(self, access: str, work: Work[R]) -> R:
        async def attempt() -> R:
            # each attempt (the guard may retry) gets the time the call has left
            timed = unit_of_work(timeout=_tx_timeout(current_deadline()))(work)
            with timed_work(neo4j_log, "neo4j", work_name(work), self.slow_statement_ms):
                async with self.driver.session(
                    database=self.database, default_access_mode=access
                ) as session:
                    if access == WRITE_ACCESS:
                        return await session.execute_write(timed)
                    return await session.execute_read(timed)

        with call_deadline():
            async with translated():
                return await self.guard.run(attempt)
