"""Optional OpenTelemetry spans: request → store call → statement, on each backend."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from graph_crm.api import create_app
from graph_crm.auth.roles import Role
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from graph_crm.tracing import TracingUnavailable, enable_tracing, span, tracing_enabled
from tests.api.asgi import bearer
from tests.api.graphql import DEFINE_ENTITY_TYPE, ENTITY, UPSERT, data, succeed

WAREHOUSE = {"name": "Warehouse", "properties": [{"name": "city", "kind": "STRING"}]}


@dataclass
class Recording:
    """A tracer provider of the test's own, keeping its spans in memory."""

    provider: TracerProvider
    exporter: InMemorySpanExporter


@pytest.fixture
def recording() -> Iterator[Recording]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        yield Recording(provider, exporter)
    finally:
        enable_tracing(False)
        provider.shutdown()


async def test_a_request_span_holds_its_store_calls_and_their_statements(
    store: GraphStore, recording: Recording
) -> None:
    app = create_app(Settings(tracing=True), store=store)
    assert tracing_enabled()
    # the setting's tracer, on the test's provider instead of the process's
    enable_tracing(provider=recording.provider)
    transport = httpx.ASGITransport(app=app)
    headers = await bearer(store, Role.ADMIN)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as client:
        await succeed(client, DEFINE_ENTITY_TYPE, "defineEntityType", input=WAREHOUSE)
        records = [{"key": "W-1", "city": "Rotterdam"}]
        await succeed(client, UPSERT, "upsertEntities", type="Warehouse", records=records)
        recording.exporter.clear()
        await data(client, ENTITY, id="Warehouse:W-1")
    spans = recording.exporter.get_finished_spans()
    (request,) = [s for s in spans if s.name == "POST /graphql"]
    assert request.attributes is not None
    assert request.attributes["http.response.status_code"] == 200
    assert request.attributes["graphql.operation.name"] == "One"
    (get,) = [s for s in spans if s.name == "store.get_entities"]
    assert parent(get, spans) is request
    assert get.attributes is not None
    assert get.attributes["graph_crm.backend"] == store.backend
    statement = "neo4j.statement" if store.backend == "neo4j" else "sqlite.read"
    below = [s for s in spans if s.name == statement and parent(s, spans) is get]
    assert below, [s.name for s in spans]
    assert {s.context.trace_id for s in spans if s.context} == {request.context.trace_id}


def parent(child: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> ReadableSpan | None:
    if child.parent is None:
        return None
    return next((s for s in spans if s.context and s.context.span_id == child.parent.span_id), None)


def test_tracing_is_off_by_default_and_needs_no_opentelemetry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create_app(Settings())
    assert not tracing_enabled()
    with span("nothing") as current:
        assert current is None
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # as if not installed
    with pytest.raises(TracingUnavailable, match=r"graph-crm\[otel\]"):
        create_app(Settings(tracing=True))
    assert not tracing_enabled()
