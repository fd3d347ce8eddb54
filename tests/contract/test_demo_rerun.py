"""Running the demo again after a user customised its types changes nothing of theirs."""

from __future__ import annotations

from graph_crm.services.demo import run_demo
from graph_crm.store.base import GraphStore


async def test_the_demo_runs_again_after_a_property_was_added_and_keeps_it(
    store: GraphStore,
) -> None:
    await run_demo(store, report_path=None)
    warehouse = (await store.registry()).entity_types["Warehouse"]
    grown = warehouse.model_dump(mode="json", by_alias=True, exclude_none=True)
    grown["properties"].append({"name": "customsOffice", "kind": "STRING"})
    await store.alter_entity_type(grown, actor="a config officer")
    [rtm] = await store.get_entities(["Warehouse:RTM-02"])
    assert rtm is not None
    await store.upsert_entities(
        "Warehouse", [{**rtm.properties, "key": "RTM-02", "customsOffice": "NL-RTM-7"}]
    )
    version = (await store.registry()).version

    await run_demo(store, report_path=None)  # refused with INCOMPATIBLE_CHANGE before

    after = (await store.registry()).entity_types["Warehouse"]
    assert [p.name for p in after.properties][-1] == "customsOffice"
    assert (await store.registry()).version == version  # nothing else to add: no change
    [kept] = await store.get_entities(["Warehouse:RTM-02"])
    assert kept is not None
    assert kept.properties["customsOffice"] == "NL-RTM-7"


async def test_the_demo_defines_its_types_and_policy_in_one_registry_change(
    store: GraphStore,
) -> None:
    await run_demo(store, report_path=None)
    registry = await store.registry()
    changes = await store.registry_changes()
    assert registry.version == 1
    assert len(changes) == len(registry.entity_types) + len(registry.relation_types) + 1
    assert [c.step for c in changes] == list(range(len(changes)))
    assert changes[-1].name == "customs-delay"
