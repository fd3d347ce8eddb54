"""The brief's 4-hop question through GraphQL: competitors in recent chats of buyers."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.graphql import TRAVERSE, data, load_chain, post

RECENT_COMPETITORS: list[dict[str, Any]] = [
    {"relation": "HAS_SUBSIDIARY"},
    {"relation": "EMPLOYS"},
    {"relation": "WROTE", "where": {"at": {"gte": "2026-08-25T00:00:00Z"}}},
    {"relation": "MENTIONS"},
]


async def test_four_hops_with_a_date_filter(client: httpx.AsyncClient) -> None:
    await load_chain(client)
    result = (
        await data(client, TRAVERSE, **{"from": ["Customer:ACME"], "steps": RECENT_COMPETITORS})
    )["traverse"]
    assert [e["id"] for e in result["reached"]] == ["Competitor:GLOBEX"]
    assert result["reached"][0]["properties"] == {"name": "Globex"}
    assert result["truncated"] is False
    paths = sorted(result["paths"], key=lambda p: p["entityIds"])
    assert [p["entityIds"] for p in paths] == [
        ["Customer:ACME", "Subsidiary:ACME-DE", "Buyer:B2", "ChatLog:L3", "Competitor:GLOBEX"],
        ["Customer:ACME", "Subsidiary:ACME-SH", "Buyer:B1", "ChatLog:L1", "Competitor:GLOBEX"],
    ]
    assert {p["target"] for p in paths} == {"Competitor:GLOBEX"}
    assert paths[0]["hops"] == [
        {"relation": "HAS_SUBSIDIARY", "direction": "OUT"},
        {"relation": "EMPLOYS", "direction": "OUT"},
        {"relation": "WROTE", "direction": "OUT"},
        {"relation": "MENTIONS", "direction": "OUT"},
    ]

    everything = [{"relation": step["relation"]} for step in RECENT_COMPETITORS]
    unfiltered = (await data(client, TRAVERSE, **{"from": ["Customer:ACME"], "steps": everything}))[
        "traverse"
    ]
    assert [e["id"] for e in unfiltered["reached"]] == ["Competitor:GLOBEX", "Competitor:INITECH"]

    back = (
        await data(
            client,
            TRAVERSE,
            **{
                "from": ["Competitor:GLOBEX"],
                "steps": [
                    {"relation": "MENTIONS", "direction": "IN"},
                    {"relation": "WROTE", "direction": "IN", "where": {"name": {"eq": "王伟"}}},
                ],
            },
        )
    )["traverse"]
    assert [e["id"] for e in back["reached"]] == ["Buyer:B1"]
    assert back["paths"][0]["hops"][0] == {"relation": "MENTIONS", "direction": "IN"}


async def test_traversal_errors_are_located(client: httpx.AsyncClient) -> None:
    await load_chain(client)
    cases: list[tuple[dict[str, Any], str, list[Any]]] = [
        ({"steps": [{"relation": "EMPLOYS"}]}, "INVALID_INPUT", ["steps", 0, "relation"]),
        ({"steps": [{"relation": "NOPE"}]}, "UNKNOWN_TYPE", []),
        ({"steps": RECENT_COMPETITORS, "maxDepth": 2}, "INVALID_INPUT", ["maxDepth"]),
        (
            {"steps": [{"relation": "HAS_SUBSIDIARY", "where": {"country": {"gt": 3}}}]},
            "INVALID_INPUT",
            ["steps", 0, "where", "country", "gt"],
        ),
    ]
    for variables, code, input_path in cases:
        body = await post(client, TRAVERSE, **{"from": ["Customer:ACME"], **variables})
        [error] = body["errors"]
        assert error["extensions"]["code"] == code, error
        assert error["extensions"]["inputPath"] == input_path, error
