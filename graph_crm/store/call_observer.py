"""Who watches store calls: a hook the API fills (metrics), and a tracing span.

Every public store method runs through :func:`observed_call` (see
:func:`~graph_crm.store.budget.each_call_budgeted`). The observer is per context, set by
:func:`observing` for the duration of a request, so two apps in one process (tests)
count their own calls. A call made from inside another store call (a traversal reading
its entities) is part of the outer one and is not observed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Final, Protocol

from graph_crm.errors import TimedOut
from graph_crm.tracing import store_call_span


class StoreCallObserver(Protocol):
    def store_call(self, backend: str, method: str, seconds: float, outcome: str) -> None:
        """One store call ended: ``outcome`` is ``ok``, ``error``, ``timeout`` or
        ``cancelled``."""


OUTCOMES: Final = ("ok", "error", "timeout", "cancelled")

_OBSERVER: ContextVar[StoreCallObserver | None] = ContextVar(
    "graph_crm_store_call_observer", default=None
)
_IN_CALL: ContextVar[bool] = ContextVar("graph_crm_in_store_call", default=False)


@contextlib.contextmanager
def observing(observer: StoreCallObserver | None) -> Iterator[None]:
    """Report the store calls made in the enclosed block (and tasks it starts) to
    ``observer``."""
    token = _OBSERVER.set(observer)
    try:
        yield
    finally:
        _OBSERVER.reset(token)


@contextlib.contextmanager
def observed_call(backend: str, method: str) -> Iterator[None]:
    """Time the enclosed store call, in a ``store.<method>`` span, for the observer."""
    if _IN_CALL.get():
        yield
        return
    observer = _OBSERVER.get()
    token = _IN_CALL.set(True)
    outcome = "error"
    started = time.perf_counter()
    try:
        with store_call_span(backend, method):
            yield
        outcome = "ok"
    except TimedOut:
        outcome = "timeout"
        raise
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        _IN_CALL.reset(token)
        if observer is not None:
            observer.store_call(backend, method, time.perf_counter() - started, outcome)
