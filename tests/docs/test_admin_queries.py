"""The Admin page's documented audit query (docs/console.md) on the demo data, on each
backend: after a key is made and revoked, it answers both, newest first, in its range."""

from __future__ import annotations

from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import CREATE_API_KEY, REVOKE_API_KEY, data, succeed
from tests.docs.answers import gaps, load_demo
from tests.docs.blocks import doc_block


async def test_the_admin_pages_audit_query_answers_a_key_made_then_revoked(
    store: GraphStore,
) -> None:
    await load_demo(store)
    async with asgi_client(store) as admin:
        made = await succeed(admin, CREATE_API_KEY, "createApiKey", name="doc-admin", role="RISK")
        key_id = made["apiKey"]["id"]
        await succeed(admin, REVOKE_API_KEY, "revokeApiKey", id=key_id)
        answer = await data(admin, doc_block("console-admin-audit").text)
    assert gaps(answer) == []
    records = [edge["node"] for edge in answer["auditLog"]["edges"]]
    assert {record["kind"] for record in records} == {"apiKey"}
    assert [(r["action"], r["ids"]) for r in records[:2]] == [
        ("key.revoke", [key_id]),
        ("key.create", [key_id]),
    ]
    assert records[1]["after"]["name"] == "doc-admin"
    assert [r["at"] for r in records] == sorted((r["at"] for r in records), reverse=True)
    assert answer["auditLog"]["totalCount"] == len(records) == 3  # and the test client's key
