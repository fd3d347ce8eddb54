"""The README's impact section works as written: its policy example and its GraphQL query."""

from __future__ import annotations

import json
import re
from pathlib import Path

from graph_crm.services.demo import DEMO_SEED, load_policies
from graph_crm.services.seed import apply_seed, read_seed
from graph_crm.store.embedded.store import EmbeddedStore
from tests.api.asgi import asgi_client
from tests.api.graphql import data

README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> str:
    return README.read_text(encoding="utf-8").split("## Impact reports", 1)[1].split("\n## ", 1)[0]


async def test_the_readme_impact_section_runs_as_written(tmp_path: Path) -> None:
    [policy] = re.findall(r"```json\n(.*?)```", _section(), flags=re.DOTALL)
    [query] = re.findall(r"```graphql\n(.*?)```", _section(), flags=re.DOTALL)
    store = await EmbeddedStore.open(tmp_path / "demo.db")
    try:
        await apply_seed(store, read_seed(DEMO_SEED), actor="test")
        await load_policies(store)
        async with asgi_client(store) as client:
            report = (await data(client, query))["impactReport"]
            assert report["totals"]["affected"] == 138
            assert [tier["tier"] for tier in report["totals"]["byTier"]] == ["T1", "T2", "T3"]
            assert len(report["targets"]) == 10
            assert report["targets"][0]["paths"][0][0]["label"] == "Rotterdam Maasvlakte 2"
            assert report["html"].startswith("<!DOCTYPE html>")
        # the example policy is valid against the demo's types, as printed
        await store.alter_impact_policy(json.loads(policy))
    finally:
        await store.close()
