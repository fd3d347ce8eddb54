"""``GET /metrics``: the series move with the requests, and only operators may read them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from graph_crm.api import create_app
from graph_crm.api.auth_throttle import AuthFailureThrottle
from graph_crm.api.metrics import BoundedLabel
from graph_crm.api.role_limits import ROLE_LIMITS, RateLimiter
from graph_crm.auth.roles import Role
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client, bearer
from tests.api.graphql import DEFINE_ENTITY_TYPE, ENTITY, UPSERT, data, post, succeed
from tests.api.scrape import parse, scrape, total, value
from tests.api.servers import admin_key, serving
from tests.contract.crm import load_chain

METRICS_TOKEN = "m" * 40
REQUESTS = "graph_crm_graphql_requests_total"
LATENCY_COUNT = "graph_crm_graphql_request_duration_seconds_count"
STORE_CALLS = "graph_crm_store_calls_total"
STORE_LATENCY_COUNT = "graph_crm_store_call_duration_seconds_count"
#: The labels of a GraphQL request refused for want of a key.
NO_KEY = {
    "type": "(none)",
    "operation": "(none)",
    "role": "anonymous",
    "status": "401",
    "code": "UNAUTHENTICATED",
}
WAREHOUSE = {"name": "Warehouse", "properties": [{"name": "city", "kind": "STRING"}]}


@pytest.fixture
async def app_client(embedded_store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials of an app with a metrics token."""
    app = create_app(Settings(metrics_token=METRICS_TOKEN), store=embedded_store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_a_scrape_shows_what_the_requests_since_the_last_one_did(
    store: GraphStore,
) -> None:
    async with asgi_client(store) as admin:
        before = await scrape(admin)
        await succeed(admin, DEFINE_ENTITY_TYPE, "defineEntityType", input=WAREHOUSE)
        records = [{"key": "W-1", "city": "Rotterdam"}]
        await succeed(admin, UPSERT, "upsertEntities", type="Warehouse", records=records)
        found = await data(admin, ENTITY, id="Warehouse:W-1")
        assert found["entity"]["properties"] == {"city": "Rotterdam"}
        assert await data(admin, "{ schemaVersion }") == {"schemaVersion": 1}
        refused = await admin.post(
            "/graphql", json={"query": "{ schemaVersion }"}, headers={"Authorization": ""}
        )
        assert refused.status_code == 401
        unknown = await post(
            admin,
            'query Late { impactReport(source: "Warehouse:W-1", delayDays: 3, policy: "none")'
            " { __typename } }",
        )
        assert unknown["errors"][0]["extensions"]["code"] == "UNKNOWN_TYPE"
        after = await scrape(admin)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    admin_ok = {"role": "admin", "status": "200", "code": ""}
    assert moved(REQUESTS, type="mutation", operation="Define", **admin_ok) == 1
    assert moved(REQUESTS, type="mutation", operation="Upsert", **admin_ok) == 1
    assert moved(REQUESTS, type="query", operation="One", **admin_ok) == 1
    assert moved(REQUESTS, type="query", operation="(anonymous)", **admin_ok) == 1
    assert moved(REQUESTS, **NO_KEY) == 1
    late = {"type": "query", "operation": "Late", "role": "admin"}
    assert moved(REQUESTS, **late, status="200", code="UNKNOWN_TYPE") == 1
    assert moved(LATENCY_COUNT, type="query", operation="One", role="admin") == 1
    assert moved(LATENCY_COUNT, type="query", operation="Late", role="admin") == 1
    backend = store.backend
    # The store call each operation made, once, by its primitive and backend.
    for method in ("define_entity_type", "upsert_entities", "get_entities"):
        assert moved(STORE_CALLS, backend=backend, method=method, outcome="ok") == 1, method
        assert moved(STORE_LATENCY_COUNT, backend=backend, method=method) == 1, method
    # Every keyed request looks its key up: 5 GraphQL requests and the second scrape.
    assert moved(STORE_CALLS, backend=backend, method="api_key_and_registry", outcome="ok") == 6
    # A schema for registry version 0 (first request), then for version 1.
    assert moved("graph_crm_schema_build_duration_seconds_count") == 2
    assert moved("graph_crm_impact_report_duration_seconds_count", outcome="error") == 1
    assert value(after, "process_cpu_seconds_total") > 0  # the client library's own


async def test_only_an_admin_key_or_the_metrics_token_may_scrape(
    app_client: httpx.AsyncClient, embedded_store: GraphStore
) -> None:
    anonymous = await app_client.get("/metrics")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="graph-crm"'
    assert anonymous.json()["error"]["code"] == "UNAUTHENTICATED"
    wrong = await app_client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
    assert wrong.status_code == 401
    for role in (Role.ANALYST, Role.RISK, Role.CONFIG_OFFICER, Role.INTEGRATION):
        refused = await app_client.get("/metrics", headers=await bearer(embedded_store, role))
        assert refused.status_code == 403, role
        assert refused.json()["error"]["code"] == "FORBIDDEN"
        assert "graph_crm" not in refused.text
    await scrape(app_client, await bearer(embedded_store, Role.ADMIN))
    await scrape(app_client, {"Authorization": f"Bearer {METRICS_TOKEN}"})
    # The token reads /metrics and nothing else.
    graphql = await app_client.post(
        "/graphql",
        json={"query": "{ schemaVersion }"},
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
    )
    assert graphql.status_code == 401


async def test_an_address_that_keeps_failing_learns_nothing_about_the_token(
    embedded_store: GraphStore,
) -> None:
    # a stopped clock: no failure is forgiven while the test runs
    app = create_app(
        Settings(metrics_token=METRICS_TOKEN),
        store=embedded_store,
        auth_failures=AuthFailureThrottle(burst=3, clock=lambda: 0.0),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        guesses = [
            (await client.get("/metrics", headers={"Authorization": f"Bearer {guess * 40}"}))
            for guess in "abcd"
        ]
        assert [answer.status_code for answer in guesses] == [401, 401, 401, 429]
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert right.status_code == 429
        assert right.json()["error"]["code"] == "AUTH_THROTTLED"


async def test_a_short_metrics_token_is_refused_in_the_settings() -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        Settings(metrics_token="short")
    assert Settings.from_env({"GRAPH_CRM_METRICS_TOKEN": METRICS_TOKEN}).metrics_token


async def test_a_key_out_of_graphql_requests_still_scrapes(embedded_store: GraphStore) -> None:
    limiter = RateLimiter(clock=lambda: 1_000.0)  # a stopped clock: no token comes back
    headers = await bearer(embedded_store, Role.ADMIN)
    app = create_app(Settings(), store=embedded_store, rate_limiter=limiter)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as client:
        for _ in range(5):
            await scrape(client)
        per_minute = ROLE_LIMITS[Role.ADMIN].requests_per_minute
        granted = 0
        for _ in range(per_minute + 1):
            answer = await client.post("/graphql", json={"query": "{ schemaVersion }"})
            granted += answer.status_code == 200
        assert granted == per_minute  # the scrapes took none of the key's requests
        assert answer.status_code == 429
        scraped = await scrape(client)
    # (The key is not noted before its rate is checked, so its role label is not known.)
    assert total(scraped, REQUESTS, status="429", code="RATE_LIMITED") == 1


async def test_operation_names_are_bounded(embedded_store: GraphStore) -> None:
    async with asgi_client(embedded_store) as admin:
        metrics = admin._transport.app.state.metrics  # type: ignore[attr-defined]
        metrics.operation_name = BoundedLabel(r"[_A-Za-z][_0-9A-Za-z]{0,63}", limit=2)
        for name in ("First", "Second", "Third", "A" * 65, "First"):
            await data(admin, f"query {name} {{ schemaVersion }}")
        samples = await scrape(admin)
    ok = {"type": "query", "role": "admin", "status": "200", "code": ""}
    assert value(samples, REQUESTS, operation="First", **ok) == 2
    assert value(samples, REQUESTS, operation="Second", **ok) == 1
    assert value(samples, REQUESTS, operation="(other)", **ok) == 2
    assert total(samples, REQUESTS, operation="Third") == 0


async def test_the_store_state_is_read_at_scrape_time(embedded_store: GraphStore) -> None:
    await load_chain(embedded_store)
    counts = await embedded_store.counts()
    async with asgi_client(embedded_store) as admin:
        before = await scrape(admin)
        # the first traversal builds the embedded store's networkx mirror
        await embedded_store.traverse(["Customer:ACME"], [{"relation": "HAS_SUBSIDIARY"}])
        after = await scrape(admin)
    state = {"backend": "embedded"}
    # present (value() reads an absent series as 0), and empty before the first traversal
    assert ("graph_crm_store_mirror_entities", (("backend", "embedded"),)) in before
    assert value(before, "graph_crm_store_mirror_entities", **state) == 0
    assert value(after, "graph_crm_store_mirror_entities", **state) == sum(counts.entities.values())
    assert value(after, "graph_crm_store_mirror_relations", **state) == sum(
        counts.relations.values()
    )
    rebuilds = "graph_crm_store_mirror_rebuilds_total"
    assert value(after, rebuilds, **state) == value(before, rebuilds, **state) + 1


def test_any_worker_of_a_real_server_answers_a_scrape_for_all_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAPH_CRM_METRICS_TOKEN", METRICS_TOKEN)
    headers = admin_key(tmp_path)
    scraper = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    with serving(tmp_path, "--workers", "2") as base:
        # A new connection each time, so the kernel spreads them over both workers.
        for _ in range(6):
            answer = httpx.post(
                f"{base}/graphql", json={"query": "query Version { schemaVersion }"},
                headers=headers,
            )  # fmt: skip
            assert answer.status_code == 200
        assert httpx.get(f"{base}/metrics").status_code == 401
        scrapes = [parse(httpx.get(f"{base}/metrics", headers=scraper).text) for _ in range(4)]
    ok = {"type": "query", "operation": "Version", "role": "admin", "status": "200", "code": ""}
    for samples in scrapes:
        assert total(samples, REQUESTS, **ok) == 6
        assert total(samples, LATENCY_COUNT, type="query", operation="Version") == 6
        assert total(samples, STORE_CALLS, backend="embedded", method="api_key_and_registry") == 6


async def test_the_metrics_page_lists_every_series(embedded_store: GraphStore) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "metrics.md").read_text("utf-8")
    async with asgi_client(embedded_store) as admin:
        await data(admin, "query Version { schemaVersion }")
        samples = await scrape(admin)
    families = {
        re.sub(r"_(total|count|sum|bucket|created)$", "", name)
        for name, _ in samples
        if name.startswith("graph_crm_")
    }
    assert families >= {"graph_crm_graphql_requests", "graph_crm_store_call_duration_seconds"}
    missing = [name for name in sorted(families) if f"`{name}" not in doc]
    assert not missing, f"not in docs/metrics.md: {missing}"


async def test_a_store_state_that_fails_leaves_the_rest_of_the_scrape(
    embedded_store: GraphStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> dict[str, float]:
        raise RuntimeError("the pool is gone")

    monkeypatch.setattr(embedded_store, "runtime_state", broken, raising=False)
    async with asgi_client(embedded_store) as admin:
        await data(admin, "query Version { schemaVersion }")
        samples = await scrape(admin)
    assert total(samples, REQUESTS, operation="Version") == 1
    assert "runtime_state() failed" in caplog.text
