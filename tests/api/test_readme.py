"""The README's GraphiQL session works as written, on every backend."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.api.graphql import data
from tests.api.scenario import load_typed

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_session() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## GraphQL API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```graphql\n(.*?)```", section, flags=re.DOTALL)


async def test_the_readme_session_runs_as_written(client: httpx.AsyncClient) -> None:
    define, upsert, query, competitors = readme_session()
    defined = (await data(client, define))["defineEntityType"]
    assert defined["__typename"] == "EntityTypePayload", defined
    written = (await data(client, upsert))["upsertCustomsBrokers"]
    assert written == {"__typename": "WritePayload", "created": 2, "updated": 0, "unchanged": 0}
    assert (await data(client, upsert))["upsertCustomsBrokers"]["unchanged"] == 2
    answer = await data(client, query)
    assert answer["customsBroker"]["name"] == "上海通关服务有限公司"
    assert answer["customsBroker"]["licensedSince"] == "2015-06-01"
    assert answer["customsBroker"]["rating"] == "A"
    page = answer["customsBrokers"]
    assert [edge["node"]["key"] for edge in page["edges"]] == ["CB-SH-01"]
    assert page["totalCount"] == 1

    await load_typed(client)
    found = await data(client, competitors)
    chats = [
        log
        for subsidiary in found["customer"]["hasSubsidiary"]
        for buyer in subsidiary["employs"]
        for log in buyer["wrote"]
    ]
    assert [log["mentions"] for log in chats] == [[{"name": "Globex"}], [{"name": "Globex"}]]
    assert found["competitors"]["edges"] == [{"node": {"key": "GLOBEX", "name": "Globex"}}]
