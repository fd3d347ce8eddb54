"""How much work one store call may do: a wall-clock budget and an edge budget.

The API sets the caller's budget for the duration of a request (per role, from the
settings); every store call reads it where it starts. A call over its time budget is
stopped by the database itself (SQLite's progress handler, Neo4j's transaction
timeout) and fails with :class:`~graph_crm.errors.TimedOut`, writing nothing. The edge
budget bounds how many relation edges one traversal or relation quantifier may expand.

>>> current_budget()
WorkBudget(seconds=None, edges=None)
>>> with work_budget(WorkBudget(seconds=5.0, edges=100_000)):
...     current_budget().seconds
5.0
>>> current_budget().seconds is None
True
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from graph_crm.errors import TimedOut
from graph_crm.store.call_observer import observed_call

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class WorkBudget:
    #: Wall-clock seconds one store call may run (None: unbounded, e.g. the CLI).
    seconds: float | None = None
    #: Relation edges one traversal or quantifier evaluation may expand (None: unbounded).
    edges: int | None = None


# WorkBudget is frozen: one shared default is safe
_CURRENT: ContextVar[WorkBudget] = ContextVar("graph_crm_work_budget", default=WorkBudget())  # noqa: B039


def current_budget() -> WorkBudget:
    """The budget of the request (or command) this code runs for."""
    return _CURRENT.get()


@contextmanager
def work_budget(budget: WorkBudget) -> Iterator[None]:
    """Run the enclosed store calls under ``budget`` (restored afterwards)."""
    token = _CURRENT.set(budget)
    try:
        yield
    finally:
        _CURRENT.reset(token)


class Deadline:
    """When the store call running now must stop; :meth:`check` is cheap enough for a
    loop (one clock read).

    A deadline passes when the call's time budget is spent, or at once when it is
    :meth:`stop`-ped (its client went away, the store is closing); from then on
    :meth:`check` raises :class:`~graph_crm.errors.TimedOut`. Any thread may stop it.

    >>> Deadline(None).remaining() is None
    True
    >>> deadline = Deadline(5.0)
    >>> deadline.check()
    >>> 0 < deadline.remaining() <= 5.0
    True
    >>> deadline.stop("the client went away")
    >>> deadline.check()
    Traceback (most recent call last):
    ...
    graph_crm.errors.TimedOut: TIMEOUT: this request was stopped: the client went away
    """

    __slots__ = ("_at", "_stopped", "seconds")

    def __init__(self, seconds: float | None) -> None:
        #: The whole budget (None: no time limit).
        self.seconds = seconds
        self._at = None if seconds is None else time.monotonic() + seconds
        self._stopped: str | None = None

    @classmethod
    def from_budget(cls, budget: WorkBudget | None = None) -> Deadline:
        """A deadline starting now, ``budget.seconds`` (the current budget's) away."""
        return cls((budget or current_budget()).seconds)

    @property
    def expired(self) -> bool:
        """Past its time, or stopped."""
        if self._stopped is not None:
            return True
        return self._at is not None and time.monotonic() >= self._at

    @property
    def stopped(self) -> bool:
        """Stopped on purpose (not merely out of time)."""
        return self._stopped is not None

    def remaining(self) -> float | None:
        """Seconds left (0 once expired); None without a time limit."""
        if self._stopped is not None:
            return 0.0
        if self._at is None:
            return None
        return max(0.0, self._at - time.monotonic())

    def stop(self, reason: str) -> None:
        """Make every later :meth:`check` fail (the first reason given is kept)."""
        if self._stopped is None:
            self._stopped = reason

    def check(self) -> None:
        """Raise :class:`~graph_crm.errors.TimedOut` if the deadline has passed."""
        if self._stopped is not None or (self._at is not None and time.monotonic() >= self._at):
            raise self.error()

    def error(self) -> TimedOut:
        """The error a call stopped by this deadline fails with."""
        if self._stopped is not None:
            return TimedOut(f"this request was stopped: {self._stopped}")
        return TimedOut(
            f"this request ran longer than its {self.seconds:g} s budget and was stopped; "
            "nothing it would have written was written. Narrow it (filters, fewer hops, "
            "a smaller page) or ask for a larger budget"
        )


_DEADLINE: ContextVar[Deadline | None] = ContextVar("graph_crm_call_deadline", default=None)


def current_deadline() -> Deadline:
    """The deadline of the store call running now (a new one from the current budget when
    none is running). Worker threads of the embedded store see their call's deadline."""
    return _DEADLINE.get() or Deadline.from_budget()


@contextmanager
def call_deadline() -> Iterator[Deadline]:
    """Enter a store call: its deadline starts now, from the current budget.

    A store call made from inside another (a traversal reading its entities) shares the
    outer call's deadline.
    """
    running = _DEADLINE.get()
    if running is not None:
        yield running
        return
    deadline = Deadline.from_budget()
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


@contextmanager
def outside_budget() -> Iterator[None]:
    """Run the enclosed store work with no time limit: clean-up after a call that ran out of
    time (which must not itself be stopped for the same reason)."""
    token = _DEADLINE.set(Deadline(None))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


C = TypeVar("C", bound=type)


def each_call_budgeted(store_class: C) -> C:
    """Run every public coroutine method of ``store_class`` (``close`` aside) under
    :func:`call_deadline`, so each store call has one deadline from where it starts,
    and observed (timed for /metrics, traced: :mod:`graph_crm.store.call_observer`)."""
    for name in dir(store_class):
        if name.startswith("_") or name == "close":
            continue
        method = inspect.getattr_static(store_class, name)
        if not inspect.iscoroutinefunction(method):
            continue  # classmethods (open), async generators, attributes
        setattr(store_class, name, _under_deadline(method))
    return store_class


def _under_deadline(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    name = method.__name__

    @functools.wraps(method)
    async def call(store: Any, *args: Any, **kwargs: Any) -> T:
        with observed_call(store.backend, name), call_deadline():
            return await method(store, *args, **kwargs)

    return call
