"""A registry's history as tests compare it, and a batch that adds to it."""

from __future__ import annotations

from graph_crm.model.registry import ChangeKind
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation


async def history(store: GraphStore) -> list[tuple[int, int, str]]:
    """Every registry change as (version, step, name), oldest first."""
    return [(c.version, c.step, c.name) for c in await store.registry_changes()]


#: The history after :func:`define_ship_and_dock` on a store that defined Port first.
PORT_SHIP_DOCK = [(1, 0, "Port"), (2, 0, "Ship"), (2, 1, "Dock")]


async def define_ship_and_dock(store: GraphStore) -> list[tuple[int, int, str]]:
    """Two entity types in one batch, one registry version; the history after it."""
    define = ChangeKind.DEFINE_ENTITY_TYPE
    await store.apply_definitions(
        [
            DefinitionOperation(define, {"name": "Ship"}),
            DefinitionOperation(define, {"name": "Dock"}),
        ],
        actor="bob",
    )
    return await history(store)
