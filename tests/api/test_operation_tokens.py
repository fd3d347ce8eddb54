"""A document over the token limit is refused saying to send its records as variables."""

from __future__ import annotations

import json

import httpx

from graph_crm.api.limits import MAX_TOKENS
from tests.api.graphql import UPSERT, data, post
from tests.contract.crm import CUSTOMER

ROWS = [{"key": f"C{i}", "name": f"Customer {i}"} for i in range(1_000)]  # 6 tokens each


def inline(rows: list[dict[str, str]]) -> str:
    """The upsert with its records written into the document, as a new user first tries."""
    records = ", ".join(
        "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in row.items()) + "}" for row in rows
    )
    return f"mutation {{ upsertCustomers(records: [{records}]) {{ __typename }} }}"


async def test_inline_records_past_the_limit_are_refused_with_the_way_out(
    client: httpx.AsyncClient,
) -> None:
    await data(
        client,
        "mutation($i: EntityTypeInput!) { defineEntityType(input: $i) { __typename } }",
        i=CUSTOMER,
    )

    body = await post(client, inline(ROWS))

    assert body.get("data") is None
    [error] = body["errors"]
    message = error["message"]
    assert f"more than {MAX_TOKENS} tokens" in message
    assert "pass large inputs such as records as variables ($rows) instead of inline" in (
        message.lower()
    )
    assert await data(client, "{ customers { totalCount } }") == {"customers": {"totalCount": 0}}

    written = await data(client, UPSERT, type="Customer", records=ROWS)  # the same rows
    assert written["upsertEntities"]["created"] == len(ROWS)
    small = await data(client, inline(ROWS[:3]).replace("C0", "D0"))
    assert small["upsertCustomers"]["__typename"] == "WritePayload"


async def test_other_syntax_errors_keep_their_message(client: httpx.AsyncClient) -> None:
    body = await post(client, "{ customers { totalCount }")
    [error] = body["errors"]
    assert error["message"].startswith("Syntax Error: Expected Name")
    assert "variables" not in error["message"]
