"""A worker the app runs beside the requests while it serves (the event processor, the
webhooks' worker): started at once, told to stop and cancelled when its block ends."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any


def running(
    work: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
) -> AbstractAsyncContextManager[None]:
    """``work(stop)`` as a task, made now (it copies the caller's context: a work budget
    set around this call holds for it); the block this returns sets ``stop`` and cancels
    the task as it ends (what it was doing is left to its lease in the store)."""
    stop = asyncio.Event()
    task = asyncio.create_task(work(stop))

    @contextlib.asynccontextmanager
    async def until_stopped() -> AsyncIterator[None]:
        try:
            yield
        finally:
            stop.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return until_stopped()
