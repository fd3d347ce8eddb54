"""The /graphql route's middleware refuses in issue 11's order, and /healthz has none of it."""

from __future__ import annotations

import httpx

from graph_crm.api.role_limits import RateLimiter, rate_limited
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client, bearer


async def post_not_json(client: httpx.AsyncClient) -> httpx.Response:
    """A POST whose body the route refuses (415), if it gets as far as looking."""
    plain = {"content-type": "text/plain"}
    return await client.post("/graphql", content=b"{ schemaVersion }", headers=plain)


class Exhausted(RateLimiter):
    """Buckets that are always empty."""

    def take(self, key: str, per_minute: int) -> None:
        raise rate_limited(per_minute, 30.0)


async def test_a_method_other_than_get_or_post_is_refused_before_a_key_is_asked_for(
    store: GraphStore,
) -> None:
    async with asgi_client(store, role=None) as anonymous:
        response = await anonymous.head("/graphql")
    assert response.status_code == 405


async def test_a_missing_key_is_refused_before_the_body_is_looked_at(store: GraphStore) -> None:
    async with asgi_client(store, role=None) as anonymous:
        response = await post_not_json(anonymous)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="graph-crm"'


async def test_a_key_past_its_rate_is_refused_before_the_body_is_looked_at(
    store: GraphStore,
) -> None:
    async with asgi_client(store, rate_limiter=Exhausted()) as client:
        response = await post_not_json(client)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMITED"
    assert response.headers["retry-after"] == "30"


async def test_a_key_within_its_rate_gets_its_body_checked(store: GraphStore) -> None:
    async with asgi_client(store) as client:
        response = await post_not_json(client)
    assert response.status_code == 415


async def test_health_is_answered_whatever_the_credentials_and_rate(store: GraphStore) -> None:
    async with asgi_client(store, role=None, rate_limiter=Exhausted()) as anonymous:
        assert (await anonymous.get("/healthz")).status_code == 200
        wrong = {"Authorization": "Bearer not-a-key"}
        assert (await anonymous.get("/healthz", headers=wrong)).status_code == 200
    good = await bearer(store)
    async with asgi_client(store, role=None, rate_limiter=Exhausted()) as client:
        assert (await client.get("/healthz", headers=good)).status_code == 200
