"""The event processor over a store that is down for a while: said once as a warning
without a traceback (an outage is not a bug), its return said too, and processing goes on;
any other failure keeps its traceback."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from graph_crm.errors import StoreUnavailable
from graph_crm.services import events
from graph_crm.services.events import ProcessorSettings, run_processor


async def _run(
    monkeypatch: pytest.MonkeyPatch, outcomes: list[Any], caplog: pytest.LogCaptureFixture
) -> list[logging.LogRecord]:
    stop = asyncio.Event()

    async def process_next(store: object, settings: ProcessorSettings) -> None:
        outcome = outcomes.pop(0) if outcomes else None
        if not outcomes:
            stop.set()
        if isinstance(outcome, Exception):
            raise outcome

    monkeypatch.setattr(events, "process_next", process_next)
    with caplog.at_level(logging.INFO, logger="graph_crm.events"):
        settings = ProcessorSettings(owner="worker-test", poll_seconds=0.001)
        await asyncio.wait_for(run_processor(object(), settings, stop), 5)  # type: ignore[arg-type]
    return [record for record in caplog.records if record.name == "graph_crm.events"]


async def test_an_outage_is_said_once_without_a_traceback_and_its_end_too(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    down = StoreUnavailable("Neo4j is unavailable: ServiceUnavailable")
    records = await _run(monkeypatch, [down] * 30 + [None, None], caplog)
    assert [record.getMessage() for record in records] == [
        "event processor: the store is unavailable (Neo4j is unavailable: "
        "ServiceUnavailable); trying again every 0.001 s",
        "event processor: the store answers again",
    ]
    assert all(record.exc_info is None for record in records)


async def test_another_failure_keeps_its_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    records = await _run(monkeypatch, [RuntimeError("a bug"), None], caplog)
    assert [record.exc_info is not None for record in records] == [True]
