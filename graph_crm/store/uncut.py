"""A store call its caller's cancellation does not cut short.

When the task awaiting a Neo4j call is cancelled (a WebSocket closing, a subscription
ended), the driver drops that call's connection half way and its socket is left to the
garbage collector. Work that outlives no client and costs one small read (a socket's
key check, the feed's head, the registry) is better finished: :func:`uncut` lets the call
complete in the background, its connection going back to the pool, and the caller's
cancellation is still raised at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

R = TypeVar("R")


async def uncut(call: Coroutine[Any, Any, R]) -> R:
    """``await call``, finished even if the awaiting task is cancelled meanwhile (its
    result or error, then, is dropped: retrieved, so nothing is logged as lost)."""
    task = asyncio.ensure_future(call)
    task.add_done_callback(_retrieved)
    return await asyncio.shield(task)


def _retrieved(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()
