"""applySchema over HTTP on both backends: a document applied in one registry change, a
dry run that writes nothing, refusals at their path, the no-op rule, who may call it, and
hostile documents."""

from __future__ import annotations

import httpx
import pytest

from graph_crm.auth.roles import Role
from graph_crm.services.schema_document import dump_document, export_document
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import data, post
from tests.contract.audit_log import everything
from tests.contract.snapshot import snapshot
from tests.contract.test_schema_document import demo_document

APPLY_SCHEMA = """
mutation Apply($document: String!, $dryRun: Boolean! = false, $prune: Boolean! = false) {
  applySchema(document: $document, dryRun: $dryRun, prune: $prune) {
    __typename
    ... on SchemaDocumentPayload {
      applied schemaVersion kept
      changes { action kind name details }
      refusals { code message path }
    }
    ... on Error { code message path }
  }
}"""


async def _apply(client: httpx.AsyncClient, document: str, **flags: bool) -> dict[str, object]:
    answer = await data(client, APPLY_SCHEMA, document=document, **flags)
    result: dict[str, object] = answer["applySchema"]
    return result


async def test_a_document_is_checked_then_applied_once_and_again_changes_nothing(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    text = dump_document(demo_document())

    dry = await _apply(client, text, dryRun=True)
    assert (dry["applied"], dry["schemaVersion"], len(dry["changes"])) == (False, 1, 19)  # type: ignore[arg-type]
    assert (await store.registry()).version == 0  # a dry run writes nothing

    keys_only = await everything(store)  # the test key's record
    applied = await _apply(client, text)
    assert (applied["applied"], applied["schemaVersion"], applied["refusals"]) == (True, 1, [])
    audit = await everything(store)
    assert len(audit) - len(keys_only) == 19  # one record per definition, one version

    again = await _apply(client, dump_document(export_document(await store.registry())))
    assert (again["applied"], again["schemaVersion"], again["changes"]) == (False, 1, [])
    assert await everything(store) == audit


async def test_refusals_are_at_their_path_and_nothing_is_written(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await _apply(client, dump_document(demo_document()))
    before = await snapshot(store), await everything(store)
    document = export_document(await store.registry())
    document["entityTypes"][0]["properties"].append({"name": "x", "kind": "NOPE"})
    document["relationTypes"].append({"name": "TO_NOWHERE", "from": "Buyer", "to": "Nowhere"})

    refused = await _apply(client, dump_document(document))

    assert refused["applied"] is False
    assert [(r["code"], r["path"]) for r in refused["refusals"]] == [  # type: ignore[attr-defined]
        ("INVALID_INPUT", ["entityTypes", "0", "properties", "2", "kind"]),
        ("UNKNOWN_TYPE", ["relationTypes", "9", "to"]),
    ]
    assert (await snapshot(store), await everything(store)) == before


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("a: &a [1]\nb: *a\n", "anchors and aliases"),
        ("!!python/object/apply:os.system ['id']\n", "constructor"),
        ("entityTypes: [", "line 1"),
        ('entityTypes:\n  - name: "Bad`) DETACH DELETE n //"\n', "name"),
        ("x" * 2_000_001, "at most"),
    ],
)
async def test_hostile_documents_get_a_clear_error_and_change_nothing(
    client: httpx.AsyncClient, store: GraphStore, document: str, message: str
) -> None:
    before = await snapshot(store), (await store.registry()).version
    answer = (await post(client, APPLY_SCHEMA, document=document)).get("data") or {}
    result = answer.get("applySchema") or {}
    refusals = result.get("refusals") or []
    text = result.get("message", "") + " ".join(r["message"] for r in refusals)
    # a body over the request limit is refused before GraphQL: no data at all
    assert message in text or (answer == {} and len(document) > 1_000_000)
    assert result.get("applied") in (None, False)
    assert (await snapshot(store), (await store.registry()).version) == before


@pytest.mark.parametrize("role", [Role.ANALYST, Role.RISK, Role.INTEGRATION])
async def test_only_config_officers_and_admins_may_apply(store: GraphStore, role: Role) -> None:
    async with asgi_client(store, role) as client:
        body = await post(client, APPLY_SCHEMA, document=dump_document(demo_document()))
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await store.registry()).version == 0
