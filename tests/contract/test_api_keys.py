"""API keys: stored, listed and revoked alike on every backend, beside the graph."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from graph_crm.auth.keys import ApiKey, new_api_key
from graph_crm.auth.roles import Role
from graph_crm.errors import Conflict, InvalidInput, NotFound
from graph_crm.store.base import GraphStore
from tests.contract.crm import load_chain
from tests.contract.snapshot import snapshot
from tests.store_fixtures import OpenTwin

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOSTILE = [
    "x'y",
    'x"y',
    "A`B",
    "'; DROP TABLE api_keys; --",
    "'; DROP TABLE entities; --",
    "} DETACH DELETE n //",
    "`) MATCH (n) DETACH DELETE n //",
    "%_*",
]


def make_key(key_id: str, *, name: str = "loader", at: datetime = T0) -> ApiKey:
    return ApiKey(
        id=key_id,
        name=name,
        role=Role.INTEGRATION,
        secret_hash=hashlib.sha256(key_id.encode()).hexdigest(),
        created_at=at,
        created_by="admin",
    )


async def test_keys_are_listed_oldest_first_then_by_id(store: GraphStore) -> None:
    # 13:30 at +05:00 is 08:30 UTC, the oldest, though its text sorts after "09:00"
    early = make_key("d", at=datetime(2026, 12, 1, 13, 30, tzinfo=timezone(timedelta(hours=5))))
    keys = [
        make_key("c", at=T0 + timedelta(hours=2)),
        make_key("b"),
        early,
        make_key("e", at=T0 + timedelta(hours=1)),
        make_key("a"),
    ]
    for key in keys:
        await store.add_api_key(key)
    assert [key.id for key in await store.api_keys()] == ["d", "a", "b", "e", "c"]
    for key in keys:
        assert await store.api_key(key.id) == key
    assert await store.api_key("missing") is None


async def test_an_api_key_round_trips_exactly(store: GraphStore) -> None:
    key, _token = new_api_key("nightly-erp-sync", Role.ADMIN, created_by="ops@example.com")
    offset = timezone(timedelta(hours=-3, minutes=-30))
    stored = ApiKey(
        id=key.id,
        name=key.name,
        role=key.role,
        secret_hash=key.secret_hash,
        created_at=datetime(2026, 12, 1, 9, 15, 30, 123456, tzinfo=offset),
        created_by=key.created_by,
        revoked_at=datetime(2026, 12, 2, 0, 0, 0, 1, tzinfo=UTC),
    )
    await store.add_api_key(stored)
    for found in (await store.api_key(stored.id), (await store.api_keys())[0]):
        assert found == stored
        assert found is not None
        assert found.to_record() == stored.to_record()
        assert found.created_at.utcoffset() == offset.utcoffset(None)
        assert found.revoked_at is not None
        assert found.revoked_at.utcoffset() == timedelta(0)


async def test_revoked_keys_are_listed_with_their_revocation_time(store: GraphStore) -> None:
    await store.add_api_key(make_key("a"))
    await store.add_api_key(make_key("b"))
    at = T0 + timedelta(days=1)
    revoked = await store.revoke_api_key("a", at=at)
    assert revoked == make_key("a").revoked(at)
    assert not revoked.active
    listed = await store.api_keys()
    assert listed == [make_key("a").revoked(at), make_key("b")]
    assert listed[0].to_record()["revokedAt"] == at.isoformat()


async def test_revoking_twice_keeps_the_first_time(store: GraphStore) -> None:
    await store.add_api_key(make_key("a"))
    first = await store.revoke_api_key("a", at=T0 + timedelta(hours=1))
    second = await store.revoke_api_key("a", at=T0 + timedelta(hours=2))
    assert second == first
    assert await store.api_key("a") == first


async def test_revoking_an_unknown_key_is_not_found(store: GraphStore) -> None:
    await store.add_api_key(make_key("a"))
    with pytest.raises(NotFound):
        await store.revoke_api_key("b", at=T0)
    assert await store.api_keys() == [make_key("a")]


async def test_a_taken_id_is_a_conflict_and_leaves_the_key(store: GraphStore) -> None:
    original = make_key("a")
    await store.add_api_key(original)
    twin = ApiKey("a", "intruder", Role.ADMIN, "0" * 64, T0 + timedelta(hours=1), "mallory")
    for attempt in (twin, original):
        with pytest.raises(Conflict):
            await store.add_api_key(attempt)
    assert await store.api_key("a") == original
    assert await store.api_keys() == [original]


async def test_racing_adds_of_one_id_one_wins(store: GraphStore) -> None:
    racers = [make_key("a", name=f"racer {n}") for n in range(4)]
    results = await asyncio.gather(
        *(store.add_api_key(key) for key in racers), return_exceptions=True
    )
    assert sum(result is None for result in results) == 1
    assert all(isinstance(result, Conflict) for result in results if result is not None)
    assert [key.name for key in await store.api_keys()] == [racers[results.index(None)].name]


async def test_naive_datetimes_are_refused(store: GraphStore) -> None:
    with pytest.raises(InvalidInput):
        await store.add_api_key(make_key("a", at=datetime(2026, 12, 1)))
    await store.add_api_key(make_key("b"))
    with pytest.raises(InvalidInput):
        await store.revoke_api_key("b", at=datetime(2026, 12, 1))
    assert await store.api_keys() == [make_key("b")]


async def test_keys_survive_reopening_the_store(store: GraphStore, open_twin: OpenTwin) -> None:
    await store.add_api_key(make_key("a"))
    await store.add_api_key(make_key("b", at=T0 + timedelta(minutes=1)))
    await store.revoke_api_key("a", at=T0 + timedelta(hours=1))
    before = await store.api_keys()
    again = await open_twin()
    assert await again.api_keys() == before
    assert await again.api_key("a") == before[0]


async def test_hostile_ids_and_names_are_only_values(store: GraphStore) -> None:
    await load_chain(store)
    benign = make_key("a")
    await store.add_api_key(benign)
    graph_before, counts_before = await snapshot(store), await store.counts()

    for hostile in HOSTILE:
        assert await store.api_key(hostile) is None
        with pytest.raises(NotFound):
            await store.revoke_api_key(hostile, at=T0)
    assert await store.api_keys() == [benign]

    hostile_keys = [
        make_key(hostile, name=hostile, at=T0 + timedelta(seconds=n + 1))
        for n, hostile in enumerate(HOSTILE)
    ]
    for key in hostile_keys:
        await store.add_api_key(key)
        assert await store.api_key(key.id) == key
    await store.revoke_api_key(HOSTILE[3], at=T0 + timedelta(days=1))
    assert [key.id for key in await store.api_keys()] == ["a", *HOSTILE]
    assert await store.api_key("a") == benign
    assert await store.api_key("x") is None
    assert await store.counts() == counts_before
    assert await snapshot(store) == graph_before
