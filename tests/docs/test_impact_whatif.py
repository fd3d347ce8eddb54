"""The Impact page's API as docs/impact.md shows it, on the demo data, on both backends:
a report as a file to download, and a what-if of 6 days against 3 at RTM-02."""

from __future__ import annotations

from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import data
from tests.docs.answers import load_demo
from tests.docs.blocks import doc_block


async def test_the_documented_download_and_what_if_answer_as_the_page_says(
    store: GraphStore,
) -> None:
    await load_demo(store)
    async with asgi_client(store) as client:
        document = (await data(client, doc_block("impact-document").text))["impactReport"]
        compared = (await data(client, doc_block("impact-compare").text))["impactComparison"]
    csv = document["csv"]
    assert csv["fileName"] == "impact-Warehouse_RTM-02-6d-20261123T0900Z.csv"
    assert csv["mediaType"] == "text/csv; charset=utf-8"
    assert csv["content"].count("\n") == 139  # a header and every one of the 138
    assert compared["complete"] is True
    assert (compared["enteredCount"], compared["leftCount"]) == (0, 0)
    assert compared["base"]["totals"]["affected"] == compared["other"]["totals"]["affected"] == 138
    assert compared["other"]["totals"]["predictedBreaches"] == 53
    assert compared["tierChangeCount"] > 0
    assert len(compared["tierChanges"]) == min(5, compared["tierChangeCount"])
    assert compared["unchanged"] + compared["tierChangeCount"] == 138
    for change in compared["tierChanges"]:
        assert change["toTier"] < change["fromTier"]  # a longer delay is never milder
        assert change["reason"].startswith(("Breach predicted", "Breach within"))
