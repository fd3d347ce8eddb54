"""Schema as code (graph_crm/services/schema_document.py) on both backends: export, apply,
diff, prune, refusals at their path, and the no-op rule (what is there changes nothing)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.services.demo import DEMO_SEED, read_policies
from graph_crm.services.schema_document import (
    apply_document,
    dump_document,
    export_document,
    parse_document,
    plan_document,
)
from graph_crm.services.seed import read_seed
from graph_crm.store.base import GraphStore
from tests.contract.audit_log import everything
from tests.contract.snapshot import snapshot


def demo_document() -> dict[str, Any]:
    seed = read_seed(DEMO_SEED)
    return {
        "entityTypes": seed["entityTypes"],
        "relationTypes": seed["relationTypes"],
        "impactPolicies": read_policies(),
    }


async def test_export_apply_on_an_empty_registry_export_gives_the_same_document(
    store: GraphStore,
) -> None:
    applied = await apply_document(store, demo_document(), actor="officer")
    assert applied.refusals == []
    assert len(applied.changes) == 19  # 9 entity types, 9 relation types, the policy
    registry = await store.registry()
    assert (len(registry.entity_types), len(registry.relation_types)) == (9, 9)
    assert registry.version == 1  # one registry change
    exported = export_document(registry)
    text = dump_document(exported)

    # an empty document with prune drops every definition (none holds data)
    emptied = await apply_document(store, {}, actor="officer", prune=True)
    assert emptied.refusals == []
    registry = await store.registry()
    assert (registry.entity_types, registry.relation_types, registry.policies) == ({}, {}, {})

    again = await apply_document(store, parse_document(text), actor="officer")
    assert again.refusals == []
    assert dump_document(export_document(await store.registry())) == text


async def test_applying_what_is_there_changes_nothing(store: GraphStore) -> None:
    await apply_document(store, demo_document(), actor="officer")
    version = (await store.registry()).version
    audit = await everything(store)
    document = export_document(await store.registry())

    for candidate in (demo_document(), document, parse_document(dump_document(document))):
        plan = await apply_document(store, candidate, actor="officer")
        assert plan.unchanged, [str(change) for change in plan.changes]
    # alter calls with identical content: no version either
    await store.alter_entity_type(document["entityTypes"][0], actor="officer")
    await store.alter_relation_type(document["relationTypes"][0], actor="officer")
    await store.alter_impact_policy(document["impactPolicies"][0], actor="officer")

    assert (await store.registry()).version == version
    assert await everything(store) == audit


async def test_a_document_is_made_exactly_as_written_and_the_diff_says_so(
    store: GraphStore,
) -> None:
    await apply_document(store, demo_document(), actor="officer")
    document = export_document(await store.registry())
    warehouse = next(t for t in document["entityTypes"] if t["name"] == "Warehouse")
    warehouse["properties"].append({"name": "customsOffice", "kind": "STRING", "label": "海关"})
    warehouse["label"] = "仓库"
    broker = {"name": "CustomsBroker", "label": "报关行", "properties": []}
    document["entityTypes"].append(broker)
    document["relationTypes"].append(
        {"name": "CLEARS_FOR", "from": "CustomsBroker", "to": "Warehouse"}
    )
    before = await snapshot(store)

    dry = await apply_document(store, document, actor="officer", dry_run=True)
    assert dry.refusals == []
    assert [str(change).splitlines()[0] for change in dry.changes] == [
        "~ change entity type Warehouse",
        "+ add entity type CustomsBroker",
        "+ add relation type CLEARS_FOR",
    ]
    assert dry.changes[0].details == (
        "adds property customsOffice (STRING)",
        'changes label: null -> "仓库"',
    )
    assert await snapshot(store) == before  # a dry run writes nothing

    done = await apply_document(store, document, actor="officer")
    registry = await store.registry()
    assert done.version == registry.version
    assert registry.entity_type("Warehouse").spec("customsOffice") is not None
    assert registry.entity_type("CustomsBroker").label == "报关行"


async def test_every_refusal_is_reported_at_its_path_and_nothing_changes(
    store: GraphStore,
) -> None:
    await apply_document(store, demo_document(), actor="officer")
    before = await snapshot(store)
    audit = await everything(store)
    document = copy.deepcopy(export_document(await store.registry()))
    document["entityTypes"][1]["properties"][0]["kind"] = "NOPE"
    document["relationTypes"].append({"name": "GOES_TO", "from": "Shipment", "to": "Nowhere"})

    plan = await apply_document(store, document, actor="officer")

    paths = sorted("/".join(map(str, issue.path)) for issue in plan.refusals)
    assert paths == ["entityTypes/1/properties/0/kind", "relationTypes/9/to"]
    assert await snapshot(store) == before
    assert await everything(store) == audit


async def test_types_left_out_are_kept_unless_pruned(store: GraphStore) -> None:
    await apply_document(store, demo_document(), actor="officer")
    smaller = export_document(await store.registry())
    smaller["relationTypes"] = [t for t in smaller["relationTypes"] if t["name"] != "MENTIONS"]

    kept = plan_document(await store.registry(), smaller)
    assert kept.unchanged
    assert kept.kept == ["relation type MENTIONS"]

    pruned = await apply_document(store, smaller, actor="officer", prune=True)
    assert [str(change) for change in pruned.changes] == ["- drop relation type MENTIONS"]
    assert "MENTIONS" not in (await store.registry()).relation_types


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1]\nb: *x\n", "anchors and aliases"),
        ("entityTypes: [\n", "line 2"),
        ("- 1\n", "a schema document is a mapping"),
        ("entityTypes: {}\n", "entityTypes must be a list"),
        ("policies: []\n", "unknown key 'policies'"),
        ("entityTypes:\n  - {1: 2}\n", "a key must be text"),
        ("!!python/object:os.system {}\n", "could not determine a constructor"),
    ],
)
def test_hostile_documents_are_refused_with_where(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_document(text)
    assert message in str(refused.value)


def test_json_is_a_document_too_and_dates_come_back_as_text() -> None:
    assert parse_document('{"entityTypes": []}') == {"entityTypes": []}
    parsed = parse_document(
        "entityTypes:\n  - name: Order\n    properties:\n"
        "      - {name: placed, kind: DATE, default: 2026-01-02}\n"
    )
    assert parsed["entityTypes"][0]["properties"][0]["default"] == "2026-01-02"
