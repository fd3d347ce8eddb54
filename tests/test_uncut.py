"""store/uncut.py: the caller's cancellation is raised at once, the store call finishes."""

from __future__ import annotations

import asyncio

import pytest

from graph_crm.store.uncut import uncut


async def test_a_cancelled_caller_leaves_the_call_to_finish() -> None:
    gate, finished = asyncio.Event(), asyncio.Event()

    async def call() -> int:
        await gate.wait()
        finished.set()
        return 7

    caller = asyncio.ensure_future(uncut(call()))
    await asyncio.sleep(0)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert not finished.is_set()
    gate.set()
    await asyncio.wait_for(finished.wait(), 1)


async def test_the_result_and_errors_reach_a_caller_that_waits() -> None:
    async def answer() -> str:
        return "ok"

    async def fail() -> None:
        raise LookupError("gone")

    assert await uncut(answer()) == "ok"
    with pytest.raises(LookupError):
        await uncut(fail())
