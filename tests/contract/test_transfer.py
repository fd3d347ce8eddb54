"""Export from one backend, import into the other: the same graph."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.services.transfer import export_graph, import_graph
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation, PatchKind
from graph_crm.store.embedded.store import EmbeddedStore
from tests.contract.crm import CHAIN, load_chain
from tests.contract.snapshot import snapshot


@pytest.mark.neo4j
@pytest.mark.parametrize("direction", ["embedded->neo4j", "neo4j->embedded"])
async def test_round_trip_into_the_other_backend(
    embedded_store: EmbeddedStore, neo4j_store: GraphStore, tmp_path: Path, direction: str
) -> None:
    source, target = (
        (embedded_store, neo4j_store)
        if direction.startswith("embedded")
        else (neo4j_store, embedded_store)
    )
    await load_chain(source)
    labels = [
        DefinitionOperation(PatchKind.ALTER_TYPE_DETAILS, {"type": "Customer", "label": "客户"}),
        DefinitionOperation(
            PatchKind.ALTER_PROPERTY,
            {"type": "Customer", "property": {"name": "tags", "kind": "JSON", "label": "标签"}},
        ),
    ]
    await source.apply_definitions(labels, actor="officer")
    await source.upsert_entities(
        "Customer",
        [
            {
                "key": "TYPES",
                "name": "全部类型",
                "employees": 7,
                "active": False,
                "lastContact": "2026-11-20T10:15:30.123456Z",
                "tags": {"a": [1, 2, {"b": None}]},
            }
        ],
    )
    path = tmp_path / "graph.jsonl"
    progress: list[int] = []
    with path.open("w", encoding="utf-8") as out:
        written = await export_graph(source, out, progress.append)
    assert written == sum(progress) == 17 + 15
    plan = await import_graph(target, path)
    assert (plan.entities, plan.relations) == (17, 15)
    assert await snapshot(target) == await snapshot(source)
    assert (await target.registry()) == (await source.registry())
    customer = (await target.registry()).entity_type("Customer")
    assert (customer.label, customer.spec("tags").label) == ("客户", "标签")  # type: ignore[union-attr]
    assert await target.registry_changes() == await source.registry_changes()
    assert await target.traverse(["Customer:ACME"], CHAIN) == await source.traverse(
        ["Customer:ACME"], CHAIN
    )


async def test_import_checks_everything_before_writing(store: GraphStore, tmp_path: Path) -> None:
    source = await EmbeddedStore.open(tmp_path / "source.db")
    try:
        await load_chain(source)
        out = io.StringIO()
        await export_graph(source, out)
    finally:
        await source.close()
    lines = out.getvalue().splitlines()
    broken = [
        *lines[:-1],
        json.dumps(
            {
                "kind": "relation",
                "type": "WROTE",
                "from": "B1",
                "to": "NOT-THERE",
                "createdAt": "2026-01-01T00:00:00Z",
                "updatedAt": "2026-01-01T00:00:00Z",
            }
        ),
    ]
    for bad, words in (
        (broken, "not in the file"),
        ([*lines[:5], "{not json"], "not JSON"),
        (lines[1:], "export"),
    ):
        path = tmp_path / "bad.jsonl"
        path.write_text("\n".join(bad) + "\n", encoding="utf-8")
        with pytest.raises(InvalidInput, match=words):
            await import_graph(store, path)
        assert (await store.registry()).version == 0
        assert await snapshot(store) == (await snapshot(store))[:1]
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(lines) + "\n", encoding="utf-8")
    await import_graph(store, good)
    with pytest.raises(InvalidInput, match="empty store"):
        await import_graph(store, good)
