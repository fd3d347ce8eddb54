"""An entity type's labelProperty through GraphQL: defined, altered, read back, refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graph_crm.store.base import GraphStore
from tests.api.graphql import RESULT_FIELDS, data, mutate

DEFINE = f"""
mutation Define($input: EntityTypeInput!) {{
  defineEntityType(input: $input) {{
    {RESULT_FIELDS}
    ... on EntityTypePayload {{ schemaVersion entityType {{ name labelProperty }} }}
  }}
}}"""
ALTER = DEFINE.replace("defineEntityType", "alterEntityType")
EMPLOYEE: dict[str, Any] = {
    "name": "Employee",
    "properties": [
        {"name": "title", "kind": "STRING", "description": "job title"},
        {"name": "fullName", "kind": "STRING"},
        {"name": "grade", "kind": "INT"},
    ],
}


async def test_defined_altered_and_read_back(client: httpx.AsyncClient, store: GraphStore) -> None:
    defined = await mutate(client, DEFINE, "defineEntityType", input=EMPLOYEE)
    assert defined["entityType"] == {"name": "Employee", "labelProperty": None}
    altered = await mutate(
        client, ALTER, "alterEntityType", input={**EMPLOYEE, "labelProperty": "fullName"}
    )
    assert altered["entityType"] == {"name": "Employee", "labelProperty": "fullName"}
    read = await data(client, "{ entityTypes { name labelProperty } }")
    assert read["entityTypes"] == [{"name": "Employee", "labelProperty": "fullName"}]
    await store.upsert_entities("Employee", [{"key": "E1", "title": "Buyer", "fullName": "Li Na"}])
    assert await store.entity_labels(["Employee:E1"]) == {"Employee:E1": "Li Na"}
    records = (await store.audit_log(type_name="Employee")).items
    [record] = [r for r in records if r.action.value == "alter"]
    assert record.after is not None
    assert record.after["labelProperty"] == "fullName"


@pytest.mark.parametrize(
    "label",
    [
        "grade",
        "nope",
        "fullName` DETACH DELETE n //",
        "fullName') OR 1=1 --",
        "$.fullName",
        "x" * 10_000,
        "",
    ],
)
async def test_a_bad_label_property_is_an_error_at_its_path_and_changes_nothing(
    client: httpx.AsyncClient, store: GraphStore, label: str
) -> None:
    await mutate(client, DEFINE, "defineEntityType", input=EMPLOYEE)
    for query, field in ((DEFINE, "defineEntityType"), (ALTER, "alterEntityType")):
        name = "Other" if field == "defineEntityType" else "Employee"
        result = await mutate(
            client, query, field, input={**EMPLOYEE, "name": name, "labelProperty": label}
        )
        assert result["__typename"] == "Error", result
        assert (result["code"], result["path"]) == ("INVALID_INPUT", ["labelProperty"])
        assert len(result["message"]) < 400
    registry = await store.registry()
    assert (registry.version, sorted(registry.entity_types)) == (1, ["Employee"])
    assert registry.entity_type("Employee").label_property is None
