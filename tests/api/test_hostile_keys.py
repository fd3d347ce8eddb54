"""Lookalike and hostile keys over HTTP: one entity per key as read, clear refusals."""

from __future__ import annotations

import unicodedata

import httpx

from graph_crm.model.audit import parse_relation_id
from tests.api.graphql import (
    ENTITIES,
    ENTITY,
    LINK,
    UPSERT,
    data,
    define_crm,
    mutate,
    read_log,
    succeed,
)

TYPED_UPSERT = """
mutation($records: [CustomerInput!]!) {
  upsertCustomers(records: $records) {
    __typename
    ... on Error { code message path issues { code message path } }
  }
}"""
TYPED_CUSTOMER = "query($key: String!) { customer(key: $key) { id key name } }"
NFC = unicodedata.normalize("NFC", "Société-Générale")
NFD = unicodedata.normalize("NFD", "Société-Générale")


async def _count(client: httpx.AsyncClient) -> int:
    page = await data(client, ENTITIES, type="Customer", first=10)
    total: int = page["entities"]["totalCount"]
    return total


async def test_a_zero_width_space_in_a_key_is_refused_with_code_message_and_path(
    client: httpx.AsyncClient,
) -> None:
    await define_crm(client)
    rows = [
        {"key": "ACME", "name": "Acme"},
        {"key": "ACME\u200b", "name": "Acme, again"},
        {"key": "BETA", "name": "Beta"},
    ]
    error = await mutate(client, UPSERT, "upsertEntities", type="Customer", records=rows)
    assert error["__typename"] == "Error"
    assert error["code"] == "INVALID_INPUT"
    assert error["path"] == ["records", "1", "key"]
    assert "U+200B ZERO WIDTH SPACE" in error["message"]
    assert [(i["code"], i["path"]) for i in error["issues"]] == [
        ("INVALID_INPUT", ["records", "1", "key"])
    ]
    typed = await mutate(
        client, TYPED_UPSERT, "upsertCustomers", records=[{"key": "ACME\u202e", "name": "x"}]
    )
    assert (typed["code"], typed["path"]) == ("INVALID_INPUT", ["records", "0", "key"])
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in typed["message"]
    assert await _count(client) == 0  # the good rows of the batch did not land either


async def test_nfd_and_nfc_keys_read_and_write_one_entity(client: httpx.AsyncClient) -> None:
    await define_crm(client)
    written = await succeed(
        client, UPSERT, "upsertEntities", type="Customer", records=[{"key": NFD, "name": "SG"}]
    )
    assert written["created"] == 1
    typed = await succeed(
        client, TYPED_UPSERT, "upsertCustomers", records=[{"key": NFC, "name": "SG"}]
    )
    assert typed["__typename"] != "Error"
    assert await _count(client) == 1
    for spelling in (NFC, NFD):
        entity = (await data(client, ENTITY, id=f"Customer:{spelling}"))["entity"]
        assert entity["key"] == NFC
        assert (await data(client, TYPED_CUSTOMER, key=spelling))["customer"]["id"] == (
            f"Customer:{NFC}"
        )


async def test_keys_with_arrows_leave_distinct_relation_ids_in_the_audit_log(
    client: httpx.AsyncClient,
) -> None:
    await define_crm(client)
    keys = ["a->Customer:b", "c", "a", "b->Customer:c"]
    records = [{"key": key, "name": key} for key in keys]
    await succeed(client, UPSERT, "upsertEntities", type="Customer", records=records)
    links = [{"from": "a->Customer:b", "to": "c"}, {"from": "a", "to": "b->Customer:c"}]
    await succeed(client, LINK, "linkEntities", relation="PARENT_OF", links=links)
    (linked,) = [node for node in await read_log(client) if node["action"] == "link"]
    assert len(set(linked["ids"])) == 2
    assert {parse_relation_id(rid) for rid in linked["ids"]} == {
        ("PARENT_OF", "Customer:a", "Customer:b->Customer:c"),
        ("PARENT_OF", "Customer:a->Customer:b", "Customer:c"),
    }
