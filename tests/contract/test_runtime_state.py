"""``runtime_state``: the store's gauges and counters, for monitoring (keys per backend
are checked in tests/test_embedded.py and tests/test_neo4j_backend.py)."""

from __future__ import annotations

import math

from graph_crm.store.base import GraphStore
from tests.contract.crm import CHAIN, load_chain


def _check(state: dict[str, float]) -> None:
    assert state
    for name, value in state.items():
        assert name
        assert name == name.lower()
        assert isinstance(value, float)
        assert math.isfinite(value)
        assert value >= 0


async def test_runtime_state_names_the_same_numbers_before_and_after_work(
    store: GraphStore,
) -> None:
    before = store.runtime_state()
    _check(before)
    await load_chain(store)
    await store.traverse(["Customer:ACME"], CHAIN)
    after = store.runtime_state()
    _check(after)
    assert set(after) == set(before)
    for name in before:
        if name.endswith("_total"):
            assert after[name] >= before[name], name


async def test_runtime_state_answers_after_the_store_closed(store: GraphStore) -> None:
    keys = set(store.runtime_state())
    await store.close()
    assert set(store.runtime_state()) == keys  # it reads no database
