"""A read behind a guard (graph_crm/store/reads/guard.py): answered only while the key is
stored active with the hash and role given and the registry is at the version given;
else None. Guard values are parameters, hostile ones included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from graph_crm.auth.keys import ApiKey, new_api_key
from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore
from graph_crm.store.reads.guard import ReadGuard
from graph_crm.store.reads.plan import EntityRead, LookupRoot, ReadPlan, Source, Value


async def _lookup(store: GraphStore) -> ReadPlan:
    registry = await store.registry()
    port = registry.entity_type("Port")
    read = EntityRead(port, (Value("key", Source.KEY),))
    return ReadPlan((LookupRoot("port", "P1", read),))


@dataclass(frozen=True)
class Setting:
    """A stored Port P1, an analyst's key, a lookup of P1, and the registry's version."""

    key: ApiKey
    plan: ReadPlan
    version: int

    @property
    def guard(self) -> ReadGuard:
        return ReadGuard(self.key.id, self.key.secret_hash, self.key.role.value, self.version)


@pytest.fixture
async def setting(store: GraphStore) -> Setting:
    await store.define_entity_type({"name": "Port", "properties": []}, actor="tests")
    await store.upsert_entities("Port", [{"key": "P1"}])
    key, _ = new_api_key("reader", Role.ANALYST, created_by="tests")
    await store.add_api_key(key)
    return Setting(key, await _lookup(store), (await store.registry()).version)


async def test_a_guarded_read_answers_only_while_key_and_registry_are_as_given(
    store: GraphStore, setting: Setting
) -> None:
    key, plan, version, guard = setting.key, setting.plan, setting.version, setting.guard
    assert await store.read_operation(plan, guard) == {"port": {"key": "P1"}}
    assert await store.read_operation(plan) == {"port": {"key": "P1"}}
    for wrong in (
        ReadGuard("nobody", key.secret_hash, key.role.value, version),
        ReadGuard(key.id, "0" * 64, key.role.value, version),
        ReadGuard(key.id, key.secret_hash, Role.ADMIN.value, version),
        ReadGuard(key.id, key.secret_hash, key.role.value, version + 1),
    ):
        assert await store.read_operation(plan, wrong) is None

    await store.define_entity_type({"name": "Quay", "properties": []}, actor="tests")
    assert await store.read_operation(plan, guard) is None  # the registry moved on
    moved = ReadGuard(key.id, key.secret_hash, key.role.value, version + 1)
    assert await store.read_operation(plan, moved) == {"port": {"key": "P1"}}
    await store.revoke_api_key(key.id, at=datetime.now(UTC), actor="tests")
    assert await store.read_operation(plan, moved) is None


@pytest.mark.parametrize(
    "hostile",
    [
        "x' OR 1=1 //",
        "x` }) MATCH (k) DETACH DELETE k //",
        "'; DROP TABLE api_keys; --",
        "",
    ],
)
async def test_hostile_guard_values_are_parameters(
    store: GraphStore, setting: Setting, hostile: str
) -> None:
    key, plan, version = setting.key, setting.plan, setting.version
    for guard in (
        ReadGuard(hostile, key.secret_hash, key.role.value, version),
        ReadGuard(key.id, hostile, key.role.value, version),
        ReadGuard(key.id, key.secret_hash, hostile, version),
    ):
        assert await store.read_operation(plan, guard) is None
    assert [k.id for k in await store.api_keys()] == [key.id]
    assert await store.read_operation(plan) == {"port": {"key": "P1"}}
