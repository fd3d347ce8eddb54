"""Display labels for a batch of ids: the type's label property (``labelProperty``, else
name, title or label), else the key; missing ones left out."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import GraphCrmError, InvalidInput
from graph_crm.services.impact_report import impact_report
from graph_crm.store.base import GraphStore
from tests.contract.logistics import AS_OF, customs_policy, load_logistics


async def test_labels(store: GraphStore) -> None:
    await store.define_entity_type(
        {"name": "Customer", "properties": [{"name": "name", "kind": "STRING"}]}
    )
    await store.define_entity_type(
        {"name": "Port", "properties": [{"name": "title", "kind": "STRING"}]}
    )
    await store.define_entity_type({"name": "Pallet", "properties": []})
    await store.upsert_entities(
        "Customer",
        [{"key": "A", "name": "上海阿克米"}, {"key": "B", "name": ""}, {"key": "C"}],
    )
    await store.upsert_entities("Port", [{"key": "RTM", "title": "Rotterdam"}])
    await store.upsert_entities("Pallet", [{"key": "P-1"}])
    ids = [
        "Customer:A",
        "Customer:B",
        "Customer:C",
        "Customer:A",
        "Customer:NOPE",
        "Port:RTM",
        "Pallet:P-1",
        "Ghost:X",
        "Customer:' OR 1=1 --",
    ]
    assert await store.entity_labels(ids) == {
        "Customer:A": "上海阿克米",
        "Customer:B": "B",  # an empty name is no name
        "Customer:C": "C",
        "Port:RTM": "Rotterdam",
        "Pallet:P-1": "P-1",
    }
    assert await store.entity_labels([]) == {}
    with pytest.raises(GraphCrmError):
        await store.entity_labels(["no-colon"])


COMPANY: dict[str, Any] = {
    "name": "Company",
    "labelProperty": "companyName",
    "properties": [{"name": "companyName", "kind": "STRING"}, {"name": "code", "kind": "INT"}],
}
EMPLOYEE: dict[str, Any] = {
    "name": "Employee",
    "properties": [
        {"name": "title", "kind": "STRING", "description": "job title"},
        {"name": "fullName", "kind": "STRING"},
    ],
}


async def test_a_type_names_its_label_property(store: GraphStore) -> None:
    registry = await store.define_entity_type(COMPANY)
    assert registry.entity_type("Company").label_property == "companyName"
    await store.define_entity_type(EMPLOYEE)
    await store.upsert_entities("Company", [{"key": "C1", "companyName": "Huaxin Ltd"}])
    await store.upsert_entities("Employee", [{"key": "E1", "title": "Buyer", "fullName": "Li Na"}])
    assert await store.entity_labels(["Company:C1", "Employee:E1"]) == {
        "Company:C1": "Huaxin Ltd",  # by its labelProperty (its bare key, before)
        "Employee:E1": "Buyer",  # the default rule picks the job title
    }

    altered = await store.alter_entity_type({**EMPLOYEE, "labelProperty": "fullName"})
    assert altered.entity_type("Employee").label_property == "fullName"
    assert (await store.registry()).entity_type("Employee").label_property == "fullName"
    assert await store.entity_labels(["Employee:E1"]) == {"Employee:E1": "Li Na"}
    changes = await store.registry_changes()
    assert changes[-1].after is not None
    assert changes[-1].after["labelProperty"] == "fullName"


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("code", "is INT"),
        ("missing", "is not a property of"),
        ("name` DETACH DELETE n //", "is not a property of"),
        ("x' OR '1'='1", "is not a property of"),
        ("", "is not a property of"),
    ],
)
async def test_a_label_property_must_be_a_string_property_of_the_type(
    store: GraphStore, label: str, words: str
) -> None:
    await store.define_entity_type({**COMPANY, "labelProperty": None})
    for change in (store.define_entity_type, store.alter_entity_type):
        name = "Other" if change == store.define_entity_type else "Company"
        with pytest.raises(InvalidInput) as refused:
            await change({**COMPANY, "name": name, "labelProperty": label})
        assert refused.value.path == ("labelProperty",)
        assert words in refused.value.message
    registry = await store.registry()
    assert (registry.version, registry.entity_type("Company").label_property) == (1, None)


async def test_the_label_property_cannot_be_removed_while_named(store: GraphStore) -> None:
    await store.define_entity_type(COMPANY)
    without = {**COMPANY, "properties": COMPANY["properties"][1:]}
    with pytest.raises(InvalidInput) as refused:
        await store.alter_entity_type(without)
    assert refused.value.path == ("labelProperty",)
    registry = await store.alter_entity_type({**without, "labelProperty": None})
    assert registry.entity_type("Company").label_property is None


async def test_a_report_names_targets_by_their_label_property(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    customer = (await store.registry()).entity_type("Customer")
    grown = customer.model_dump(mode="json", by_alias=True)
    grown["properties"].append({"name": "companyName", "kind": "STRING"})
    await store.alter_entity_type({**grown, "labelProperty": "companyName"})
    [g] = await store.get_entities(["Customer:G"])
    assert g is not None
    await store.upsert_entities("Customer", [{**g.properties, "key": "G", "companyName": "Gamma"}])

    report = await impact_report(
        store, policy="customs-delay", source="Warehouse:W1", delay_days=3, as_of=AS_OF
    )

    labels = {target.target: target.label for target in report.targets}
    assert labels["Customer:G"] == "Gamma"
    assert labels["Customer:CA"] == "CA"  # no companyName: its key, not its name
