"""applyDefinitions, previewDefinitions and definitionHistory over HTTP, on both
backends; and who may call them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.definition_ops import ADD_PROPERTY, HISTORY, PREVIEW
from tests.api.graphql import APPLY, data, post, succeed
from tests.contract.logistics import load_logistics
from tests.contract.snapshot import snapshot

BROKER_BATCH: list[dict[str, Any]] = [
    {
        "defineEntityType": {
            "name": "CustomsBroker",
            "label": "报关行",
            "labelProperty": "name",
            "properties": [{"name": "name", "kind": "STRING", "label": "名称"}],
        }
    },
    {"defineRelationType": {"name": "CLEARS_FOR", "from": "CustomsBroker", "to": "Warehouse"}},
    {"addProperty": {"type": "Warehouse", "property": {"name": "customsCode", "kind": "STRING"}}},
]


async def _audit_count(store: GraphStore) -> int:
    return (await store.audit_log(first=1)).total_count


async def test_a_batch_is_one_version_with_a_step_per_change(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    registry = await load_logistics(store)
    applied = await succeed(client, APPLY, "applyDefinitions", operations=BROKER_BATCH)
    version = registry.version + 1
    assert applied["schemaVersion"] == version
    assert [(c["version"], c["step"], c["kind"], c["name"]) for c in applied["changes"]] == [
        (version, 0, "DEFINE_ENTITY_TYPE", "CustomsBroker"),
        (version, 1, "DEFINE_RELATION_TYPE", "CLEARS_FOR"),
        (version, 2, "ALTER_ENTITY_TYPE", "Warehouse"),
    ]
    broker = (await store.registry()).entity_type("CustomsBroker")
    assert (broker.label, broker.properties[0].label) == ("报关行", "名称")
    audits = await _audit_count(store)
    again = (await data(client, APPLY, operations=BROKER_BATCH[2:]))["applyDefinitions"]
    assert (again["code"], again["path"]) == (
        "INVALID_INPUT",
        ["operations", "0", "addProperty", "property", "name"],
    )
    assert "alterProperty" in again["message"]
    assert await _audit_count(store) == audits


async def test_a_refused_batch_reports_every_refusal_and_writes_nothing(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    before = await snapshot(store), await _audit_count(store)
    operations = [
        *BROKER_BATCH,
        {"dropProperty": {"type": "Shipment", "name": "value"}},
        {"addProperty": {"type": "Nowhere", "property": {"name": "x", "kind": "INT"}}},
        {"alterTypeDetails": {"type": "Customer", "label": "bad\u0007"}},
    ]
    refused = (await data(client, APPLY, operations=operations))["applyDefinitions"]
    assert refused["__typename"] == "Error"
    assert [(i["code"], i["path"]) for i in refused["issues"]] == [
        ("INCOMPATIBLE_CHANGE", ["operations", "3", "dropProperty", "name"]),
        ("UNKNOWN_TYPE", ["operations", "4", "addProperty", "type"]),
        ("INVALID_INPUT", ["operations", "5", "alterTypeDetails", "label"]),
    ]
    assert (await snapshot(store), await _audit_count(store)) == before


async def test_an_operation_holds_exactly_one_change(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    two: list[dict[str, Any]] = [{"dropEntityType": "A", "dropRelationType": "B"}]
    empty: list[dict[str, Any]] = [{}]
    for operations in (two, empty):
        refused = (await data(client, APPLY, operations=operations))["applyDefinitions"]
        assert (refused["code"], refused["path"]) == ("INVALID_INPUT", ["operations", "0"])
        assert "exactly one" in refused["message"]
        preview = (await data(client, PREVIEW, operations=operations))["previewDefinitions"]
        assert [r["path"] for r in preview["refusals"]] == [["operations", "0"]]
    assert (await store.registry()).version == 0


async def test_preview_shows_the_version_the_schema_diff_and_writes_nothing(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    registry = await load_logistics(store)
    before = await snapshot(store), await _audit_count(store)
    preview = (await data(client, PREVIEW, operations=BROKER_BATCH))["previewDefinitions"]
    assert (preview["currentVersion"], preview["version"]) == (
        registry.version,
        registry.version + 1,
    )
    assert preview["refusals"] == []
    changes = {c["name"]: c for c in preview["schemaChanges"]}
    assert changes["CustomsBroker"]["change"] == "ADDED"
    assert "type CustomsBroker {" in changes["CustomsBroker"]["sdl"]
    assert "  customsCode: String" in changes["Warehouse"]["added"]
    assert changes["Warehouse"]["change"] == "CHANGED"
    assert any("customsBrokers(" in line for line in changes["Query"]["added"])
    assert "  clearsForInverse(" in "\n".join(changes["Warehouse"]["added"])
    assert (await snapshot(store), await _audit_count(store)) == before
    history = await data(client, HISTORY, first=1)
    assert history["definitionHistory"]["edges"][0]["node"]["version"] == registry.version

    dropping = [{"dropProperty": {"type": "Shipment", "name": "value"}}]
    refused = (await data(client, PREVIEW, operations=dropping))["previewDefinitions"]
    assert refused["version"] is None
    assert refused["schemaChanges"] == []
    [refusal] = refused["refusals"]
    assert refusal["code"] == "INCOMPATIBLE_CHANGE"
    assert refusal["path"] == ["operations", "0", "dropProperty", "name"]
    assert (await snapshot(store), await _audit_count(store)) == before

    dropped = [{"dropRelationType": "FILED"}, {"dropEntityType": "Complaint"}]
    held = (await data(client, PREVIEW, operations=dropped))["previewDefinitions"]
    assert [r["path"][:2] for r in held["refusals"]] == [["operations", "0"], ["operations", "1"]]
    nothing = (await data(client, PREVIEW, operations=[]))["previewDefinitions"]
    assert nothing["version"] == registry.version


async def test_history_is_newest_first_and_paged(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    registry = await load_logistics(store)
    await succeed(client, APPLY, "applyDefinitions", operations=BROKER_BATCH)
    first = (await data(client, HISTORY, first=2))["definitionHistory"]
    total = len(await store.registry_changes())
    assert first["totalCount"] == total
    nodes = [edge["node"] for edge in first["edges"]]
    assert [(n["version"], n["step"]) for n in nodes] == [
        (registry.version + 1, 2),
        (registry.version + 1, 1),
    ]
    assert nodes[0]["before"]["name"] == "Warehouse"
    assert nodes[0]["actor"] == nodes[1]["actor"]
    assert first["pageInfo"]["hasNextPage"] is True
    seen = [(n["version"], n["step"]) for n in nodes]
    after = first["pageInfo"]["endCursor"]
    while after is not None:
        page = (await data(client, HISTORY, first=5, after=after))["definitionHistory"]
        seen += [(e["node"]["version"], e["node"]["step"]) for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == total
    bad = (("not-a-cursor", 5), ("YTpi", 5), ("MTo", 5), (None, 10_000), (None, -1))
    for cursor, first_count in bad:
        body = await post(client, HISTORY, first=first_count, after=cursor)
        assert body["errors"][0]["extensions"]["code"] in ("INVALID_INPUT", "LIMIT_EXCEEDED")


async def test_a_batch_that_changes_nothing_makes_no_version(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    registry = await load_logistics(store)
    same = [{"alterTypeDetails": {"type": "Customer", "description": ""}}]
    applied = await succeed(client, APPLY, "applyDefinitions", operations=same)
    assert (applied["schemaVersion"], applied["changes"]) == (registry.version, [])
    empty = await succeed(client, APPLY, "applyDefinitions", operations=[])
    assert empty["schemaVersion"] == registry.version
    assert len(await store.registry_changes()) == len(await store.registry_changes(since_version=0))
    assert (await store.registry()).version == registry.version


FIELDS: list[tuple[str, str, dict[str, Any]]] = [
    ("applyDefinitions", APPLY, {"operations": BROKER_BATCH}),
    (
        "addProperty",
        ADD_PROPERTY,
        {"type": "Warehouse", "property": {"name": "dock", "kind": "STRING"}},
    ),
    (
        "alterTypeDetails",
        'mutation { alterTypeDetails(input: {type: "Warehouse", label: "仓"}) { __typename } }',
        {},
    ),
    (
        "dropProperty",
        'mutation { dropProperty(type: "Shipment", name: "value") { __typename } }',
        {},
    ),
    ("dropEntityType", 'mutation { dropEntityType(name: "Complaint") { __typename } }', {}),
    ("dropRelationType", 'mutation { dropRelationType(name: "FILED") { __typename } }', {}),
    (
        "alterRelationType",
        'mutation { alterRelationType(input: {name: "FILED", from: "Customer", '
        'to: "Complaint"}) { __typename } }',
        {},
    ),
    (
        "alterProperty",
        'mutation { alterProperty(type: "Warehouse", property: {name: "name", kind: STRING}) '
        "{ __typename } }",
        {},
    ),
    ("previewDefinitions", PREVIEW, {"operations": BROKER_BATCH}),
    ("definitionHistory", HISTORY, {"first": 5}),
]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.RISK, Role.INTEGRATION])
async def test_roles_without_define_are_refused_and_nothing_changes(
    store: GraphStore, role: Role
) -> None:
    await load_logistics(store)
    async with asgi_client(store, role) as client:
        for field, query, variables in FIELDS:
            before = (await store.registry()).version, await snapshot(store)
            body = await post(client, query, **variables)
            assert body["data"] is None, (role, field)
            [error] = body["errors"]
            assert (error["extensions"]["code"], error["path"]) == ("FORBIDDEN", [field])
            assert ((await store.registry()).version, await snapshot(store)) == before


@pytest.mark.parametrize("role", [Role.CONFIG_OFFICER, Role.ADMIN])
async def test_config_officers_and_admins_may_define(store: GraphStore, role: Role) -> None:
    await load_logistics(store)
    async with asgi_client(store, role) as client:
        for field, query, variables in FIELDS:
            body = await post(client, query, **variables)
            assert "errors" not in body, (role, field, body)


async def test_a_bad_formula_in_a_batch_is_refused_at_its_operation(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    """A formula's problem (its own error kind, with a character position) is located at
    the batch's operation like any refusal, not lost as an internal error."""
    await load_logistics(store)
    before = await snapshot(store)
    spec = {"name": "doubled", "kind": "FLOAT", "computed": "name * 2"}
    operations = [{"addProperty": {"type": "Warehouse", "property": spec}}]
    refused = (await data(client, APPLY, operations=operations))["applyDefinitions"]
    assert refused["code"] == "INVALID_INPUT", refused
    assert refused["path"][:2] == ["operations", "0"], refused
    assert "character" in refused["message"], refused
    assert await snapshot(store) == before
