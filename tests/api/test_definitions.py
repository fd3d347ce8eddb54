"""Defining and altering types through GraphQL; failures are data and change nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.graphql import (
    ALTER_ENTITY_TYPE,
    DEFINE_ENTITY_TYPE,
    DEFINE_RELATION_TYPE,
    data,
    define_crm,
    mutate,
    succeed,
)
from tests.contract.crm import CUSTOMER

TYPES = """
{
  schemaVersion
  entityTypes { name properties { name kind } }
  relationTypes { name from to properties { name kind values } }
}"""


async def test_define_type_and_relation(client: httpx.AsyncClient) -> None:
    defined = await succeed(client, DEFINE_ENTITY_TYPE, "defineEntityType", input=CUSTOMER)
    assert defined["schemaVersion"] == 1
    customer = defined["entityType"]
    assert customer["name"] == "Customer"
    assert customer["description"] == "A paying customer"
    by_name = {p["name"]: p for p in customer["properties"]}
    assert by_name["tier"] == {
        "name": "tier",
        "kind": "ENUM",
        "required": False,
        "unique": False,
        "default": None,
        "values": ["GOLD", "SILVER", "BRONZE"],
    }
    assert by_name["active"]["default"] is True
    assert by_name["email"]["unique"] is True

    await define_crm_rest(client)
    listed = await data(client, TYPES)
    assert listed["schemaVersion"] == 10
    assert [t["name"] for t in listed["entityTypes"]] == [
        "Buyer",
        "ChatLog",
        "Competitor",
        "Customer",
        "Subsidiary",
    ]
    mentions = next(r for r in listed["relationTypes"] if r["name"] == "MENTIONS")
    assert (mentions["from"], mentions["to"]) == ("ChatLog", "Competitor")
    assert mentions["properties"] == [
        {"name": "sentiment", "kind": "ENUM", "values": ["POSITIVE", "NEGATIVE"]}
    ]
    one = await data(
        client, '{ entityType(name: "Buyer") { name } missing: entityType(name: "X") { name } }'
    )
    assert one == {"entityType": {"name": "Buyer"}, "missing": None}


async def define_crm_rest(client: httpx.AsyncClient) -> None:
    """Everything of the sample CRM but Customer, which the test defined itself."""
    from tests.contract import crm

    for definition in (crm.SUBSIDIARY, crm.BUYER, crm.CHAT_LOG, crm.COMPETITOR):
        await succeed(client, DEFINE_ENTITY_TYPE, "defineEntityType", input=definition)
    for relation in crm.RELATIONS:
        await succeed(client, DEFINE_RELATION_TYPE, "defineRelationType", input=relation)


async def test_alter_entity_type(client: httpx.AsyncClient) -> None:
    defined = await define_crm(client)
    altered_input: dict[str, Any] = {
        **CUSTOMER,
        "properties": [*CUSTOMER["properties"], {"name": "region", "kind": "STRING"}],
    }
    altered = await succeed(client, ALTER_ENTITY_TYPE, "alterEntityType", input=altered_input)
    assert altered["schemaVersion"] == defined + 1
    assert altered["entityType"]["properties"][-1]["name"] == "region"

    removed: dict[str, Any] = {**CUSTOMER, "properties": CUSTOMER["properties"][:1]}
    await succeed(client, ALTER_ENTITY_TYPE, "alterEntityType", input=removed)  # empty: allowed
    unknown = await mutate(
        client, ALTER_ENTITY_TYPE, "alterEntityType", input={"name": "Nope", "properties": []}
    )
    assert unknown["__typename"] == "Error"
    assert unknown["code"] == "UNKNOWN_TYPE"


HOSTILE_NAMES = [
    "Customer`) DETACH DELETE n //",
    "Customer' OR '1'='1",
    'Customer"; DROP TABLE entities; --',
    "MATCH (n) DETACH DELETE n",
    "customer",
    "",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_invalid_and_hostile_type_names_are_errors(
    client: httpx.AsyncClient, name: str
) -> None:
    await define_crm(client)
    before = await data(client, TYPES)
    result = await mutate(
        client, DEFINE_ENTITY_TYPE, "defineEntityType", input={"name": name, "properties": []}
    )
    assert result["__typename"] == "Error"
    assert result["code"] in ("INVALID_INPUT", "INVALID_NAME")
    assert result["issues"], result
    assert any(issue["path"][:1] == ["name"] for issue in result["issues"]), result
    assert await data(client, TYPES) == before


@pytest.mark.parametrize(
    ("definition", "code", "path"),
    [
        ({"name": "Query", "properties": []}, "RESERVED_NAME", ["name"]),
        (
            {"name": "Broker", "properties": [{"name": "x` DETACH DELETE", "kind": "STRING"}]},
            "INVALID_NAME",
            ["properties", "0", "name"],
        ),
        (
            {
                "name": "Broker",
                "properties": [{"name": "level", "kind": "ENUM", "values": ["a'b"]}],
            },
            "INVALID_NAME",
            ["properties", "0", "values"],
        ),
        (CUSTOMER, "TYPE_EXISTS", []),
    ],
)
async def test_definition_errors_carry_code_and_path(
    client: httpx.AsyncClient, definition: dict[str, Any], code: str, path: list[str]
) -> None:
    await define_crm(client)
    before = await data(client, TYPES)
    result = await mutate(client, DEFINE_ENTITY_TYPE, "defineEntityType", input=definition)
    assert result["__typename"] == "Error"
    codes_and_paths = [(issue["code"], issue["path"][: len(path)]) for issue in result["issues"]]
    assert (code, path) in codes_and_paths or (result["code"], result["path"][: len(path)]) == (
        code,
        path,
    ), result
    assert await data(client, TYPES) == before


@pytest.mark.parametrize(
    ("relation", "code"),
    [
        ({"name": "KNOWS", "from": "Customer", "to": "Ghost"}, "UNKNOWN_TYPE"),
        ({"name": "KNOWS`]->() DETACH DELETE", "from": "Customer", "to": "Buyer"}, "INVALID_NAME"),
        ({"name": "EMPLOYS", "from": "Subsidiary", "to": "Buyer"}, "TYPE_EXISTS"),
    ],
)
async def test_relation_definition_errors(
    client: httpx.AsyncClient, relation: dict[str, Any], code: str
) -> None:
    await define_crm(client)
    before = await data(client, TYPES)
    result = await mutate(client, DEFINE_RELATION_TYPE, "defineRelationType", input=relation)
    assert result["__typename"] == "Error"
    assert code in {result["code"], *(issue["code"] for issue in result["issues"])}, result
    assert await data(client, TYPES) == before


async def test_a_bad_enum_in_the_input_is_a_graphql_validation_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        json={
            "query": DEFINE_ENTITY_TYPE,
            "variables": {
                "input": {"name": "Broker", "properties": [{"name": "x", "kind": "TEXT"}]}
            },
        },
    )
    body = response.json()
    message = body["errors"][0]["message"]
    assert message.startswith("Variable '$input' has invalid value at .properties[0].kind")
    assert (await data(client, TYPES))["schemaVersion"] == 0
