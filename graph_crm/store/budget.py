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

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WorkBudget:
    #: Wall-clock seconds one store call may run (None: unbounded, e.g. the CLI).
    seconds: float | None = None
    #: Relation edges one traversal or quantifier evaluation may expand (None: unbounded).
    edges: int | None = None


_CURRENT: ContextVar[WorkBudget] = ContextVar("graph_crm_work_budget", default=WorkBudget())


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
