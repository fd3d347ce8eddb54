"""The README's GraphiQL session works as written, on every backend."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.api.graphql import data

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_session() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## GraphQL API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```graphql\n(.*?)```", section, flags=re.DOTALL)


async def test_the_readme_session_runs_as_written(client: httpx.AsyncClient) -> None:
    define, upsert, query = readme_session()
    defined = (await data(client, define))["defineEntityType"]
    assert defined["__typename"] == "EntityTypePayload", defined
    written = (await data(client, upsert))["upsertEntities"]
    assert written == {"__typename": "WritePayload", "created": 2, "updated": 0, "unchanged": 0}
    assert (await data(client, upsert))["upsertEntities"]["unchanged"] == 2
    answer = await data(client, query)
    assert answer["entity"]["properties"]["name"] == "上海通关服务有限公司"
    assert answer["entity"]["properties"]["licensedSince"] == "2015-06-01"
    keys = [edge["node"]["key"] for edge in answer["entities"]["edges"]]
    assert keys == ["CB-SH-01", "CB-RTM-02"]
