"""The first thing a new user runs: a small logistics CRM, loaded and traversed."""

from __future__ import annotations

from pathlib import Path

from graph_crm.model.graph import Entity
from graph_crm.model.traversal import Traversal
from graph_crm.seed import apply_seed, read_seed
from graph_crm.store.base import GraphStore

DEMO_SEED = Path(__file__).resolve().parents[1] / "seeds" / "demo.json"


def _label(entity: Entity) -> str:
    name = entity.properties.get("name")
    return f"{entity.id} ({name})" if name else entity.id


def _print_traversal(title: str, result: Traversal, names: dict[str, str]) -> None:
    print(f"\n{title}")
    if not result.reached:
        print("  (nothing reached)")
    for entity in result.reached:
        print(f"  • {_label(entity)}")
        for path in result.paths[entity.id]:
            steps = [names.get(path.entity_ids[0], path.entity_ids[0])]
            for hop, target in zip(path.hops, path.entity_ids[1:], strict=True):
                arrow = (
                    f"-{hop.relation}->" if hop.direction.value == "OUT" else f"<-{hop.relation}-"
                )
                steps.append(f"{arrow} {names.get(target, target)}")
            print("      " + " ".join(steps))


async def run_demo(store: GraphStore, seed_path: Path = DEMO_SEED) -> None:
    seed = read_seed(seed_path)
    result = await apply_seed(store, seed, actor="demo")
    registry = await store.registry()
    counts = await store.counts()
    print(f"graph-crm demo on the {store.backend} store")
    if result.defined:
        print(f"Defined {len(result.defined)} types at runtime: {', '.join(result.defined)}")
    else:
        print("Types already defined; loading again changes nothing (upserts are idempotent).")
    print(f"Registry version {registry.version}.\n")
    print(f"{'entity type':<16}{'entities':>9}   {'relation type':<16}{'links':>6}")
    entity_rows = sorted(counts.entities.items())
    relation_rows = sorted(counts.relations.items())
    for index in range(max(len(entity_rows), len(relation_rows))):
        left = (
            f"{entity_rows[index][0]:<16}{entity_rows[index][1]:>9}"
            if index < len(entity_rows)
            else " " * 25
        )
        right = (
            f"   {relation_rows[index][0]:<16}{relation_rows[index][1]:>6}"
            if index < len(relation_rows)
            else ""
        )
        print(left + right)

    everything = [f"{t}:{r['key']}" for t, rows in seed["entities"].items() for r in rows]
    names = {e.id: _label(e) for e in await store.get_entities(everything) if e is not None}

    competitors = await store.traverse(
        ["Customer:SH-ACME"],
        [
            {"relation": "HAS_SUBSIDIARY"},
            {"relation": "EMPLOYS"},
            {"relation": "WROTE", "where": {"at": {"gte": "2026-08-25T00:00:00Z"}}},
            {"relation": "MENTIONS"},
        ],
    )
    _print_traversal(
        "Competitors mentioned since 2026-08-25 in chats of buyers at subsidiaries of "
        "上海阿克米贸易有限公司 (4 hops):",
        competitors,
        names,
    )

    exposed = await store.traverse(
        ["Warehouse:RTM-02"],
        [
            {
                "relation": "SHIPPED_VIA",
                "direction": "IN",
                "where": {"status": {"eq": "IN_TRANSIT"}},
            },
            {"relation": "FOR_CUSTOMER"},
        ],
    )
    _print_traversal(
        "Customers with shipments in transit through warehouse RTM-02:", exposed, names
    )

    brokers = await store.traverse(
        ["Warehouse:RTM-02"], [{"relation": "CLEARS_FOR", "direction": "IN"}]
    )
    _print_traversal(
        "Customs brokers clearing for RTM-02 (a type defined at runtime):", brokers, names
    )
