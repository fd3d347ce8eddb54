"""Wrong keys from one address are throttled before any store lookup, over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from graph_crm.api import create_app
from graph_crm.api.auth_throttle import AuthFailureThrottle
from graph_crm.auth.keys import ApiKey
from graph_crm.auth.roles import Role
from graph_crm.model.registry import Registry
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.asgi import bearer


class CountingLookups:
    """The real store, counting the key lookups the API makes (nothing is faked)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.lookups = 0

    async def api_key_and_registry(self, key_id: str) -> tuple[ApiKey | None, Registry]:
        self.lookups += 1
        return await self._store.api_key_and_registry(key_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


async def test_wrong_keys_are_throttled_per_address_before_the_store_is_asked(
    store: GraphStore,
) -> None:
    counting = CountingLookups(store)
    # a stopped clock: however slow the machine, no attempt comes back during the test
    stopped = AuthFailureThrottle(clock=lambda: 1_000.0)
    app = create_app(Settings(), store=counting, auth_failures=stopped)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4711))
    other = httpx.ASGITransport(app=app, client=("198.51.100.9", 4711))
    good = await bearer(store, Role.ANALYST)
    # well-formed keys of a real id with a wrong secret: each needs a lookup to refuse
    token = good["Authorization"].removeprefix("Bearer ")
    wrong = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    query = {"query": "{ schemaVersion }"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as attacker:
        statuses = []
        for _ in range(300):
            response = await attacker.post(
                "/graphql", json=query, headers={"Authorization": f"Bearer {wrong}"}
            )
            statuses.append(response.status_code)
        throttled = await attacker.post(
            "/graphql", json=query, headers={"Authorization": f"Bearer {wrong}"}
        )
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}
    assert throttled.json()["error"]["code"] == "AUTH_THROTTLED"
    assert int(throttled.headers["retry-after"]) >= 1
    # 300 attempts, 10 lookups: the rest were refused on the address alone
    assert counting.lookups == 10
    # another address is not affected, and a good key there works
    async with httpx.AsyncClient(transport=other, base_url="http://t", headers=good) as user:
        assert (await user.post("/graphql", json=query)).json() == {"data": {"schemaVersion": 0}}
