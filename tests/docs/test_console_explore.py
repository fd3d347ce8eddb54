"""The Explore page's documented path (docs/console.md, the brief's competitor question)
finds what the page says, on each backend."""

from __future__ import annotations

from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import data
from tests.docs.answers import load_demo
from tests.docs.blocks import doc_block, variables_of


async def test_the_path_builders_example_finds_the_two_competitors(store: GraphStore) -> None:
    await load_demo(store)
    block = doc_block("console-explore-path")
    async with asgi_client(store) as client:
        answer = (await data(client, block.text, **variables_of(block)))["traverse"]
    assert sorted(entity["properties"]["name"] for entity in answer["reached"]) == [
        "Globex Freight",
        "Initech Logistics",
    ]
    targets = [path["target"] for path in answer["paths"]]
    assert sorted(targets) == ["Competitor:GLOBEX", "Competitor:GLOBEX", "Competitor:INITECH"]
    assert answer["truncated"] is False
