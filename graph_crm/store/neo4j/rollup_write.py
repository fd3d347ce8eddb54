"""Stored rollups kept current on Neo4j, inside a write transaction
(:mod:`graph_crm.store.rollups` says which owners; here is how, in Cypher).

Per rollup: one ``UNWIND`` statement per hop walks the path back from the touched
entities to their owners; one locks the owners (in key order); one reads the distinct
far entities of every affected owner; one stores the values. Labels, relation types and
property names reach the statements only through :mod:`.queries`' registry-pattern
checks; keys and values are parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from neo4j import AsyncManagedTransaction

from graph_crm.model.formula.rollup import Hop
from graph_crm.model.formula.stored import Formulas, StoredRollup, late_formulas, with_computed
from graph_crm.model.formula.stored_rollup import rollup_value
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType, PropertyKind
from graph_crm.model.values import value_to_json
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.compile import neo4j_value
from graph_crm.store.neo4j.statements import cypher, fetch
from graph_crm.store.neo4j.values import decode_props
from graph_crm.store.rollups import Touched, rollups_touched, walk_back

#: Owners per statement.
BATCH: Final = 5000
_DECODE: Final = {PropertyKind.DATE: "date(row.v)", PropertyKind.DATETIME: "datetime(row.v)"}


def _arrow(hop: Hop, *, forward: bool) -> str:
    """The hop's relation pattern, from its near end (``forward``) or its far end."""
    rel = f"[:{q.rel_type(hop.relation)}]"
    out = hop.direction.value == "OUT"
    return f"-{rel}->" if out == forward else f"<-{rel}-"


async def affected_owners(
    tx: AsyncManagedTransaction, rollup: StoredRollup, touched: Mapping[str, set[str]]
) -> set[str]:
    """The keys of ``rollup``'s owners whose value the touched entities may change."""
    frontier: set[str] = set()
    for level, hop, near_type, far_type in walk_back(rollup):
        frontier |= touched.get(rollup.types[level], set())
        if frontier:
            statement = cypher(
                q.ROLLUP_STEP_BACK,
                Far=q.label(far_type),
                Near=q.label(near_type),
                back=_arrow(hop, forward=False),
            )
            rows = await fetch(tx, statement, keys=sorted(frontier))
            frontier = set(rows[0]["keys"]) if rows else set()
    return frontier | touched.get(rollup.owner, set())


async def owners_of(
    tx: AsyncManagedTransaction, registry: Registry, touched: Touched
) -> list[tuple[StoredRollup, set[str]]]:
    """Each stored rollup the touched entities concern, with its affected owners."""
    return [
        (rollup, await affected_owners(tx, rollup, touched))
        for rollup in rollups_touched(registry, touched)
    ]


async def recompute(
    tx: AsyncManagedTransaction,
    registry: Registry,
    work: Iterable[tuple[StoredRollup, set[str]]],
) -> None:
    """Store each rollup's value on its owners (owners that no longer exist are skipped),
    then the owners' formulas that read a rollup."""
    by_type: dict[str, set[str]] = {}
    for rollup, owners in work:
        ordered = sorted(owners)
        for start in range(0, len(ordered), BATCH):
            await _store(tx, registry, rollup, ordered[start : start + BATCH])
        by_type.setdefault(rollup.owner, set()).update(owners)
    for type_name, keys in by_type.items():
        late = late_formulas(registry, type_name)
        ordered = sorted(keys)
        for start in range(0, len(ordered) if late else 0, BATCH):
            await _store_late(
                tx, registry.entity_type(type_name), late, ordered[start : start + BATCH]
            )


async def _store_late(
    tx: AsyncManagedTransaction, entity_type: EntityType, late: Formulas, keys: list[str]
) -> None:
    """Work out ``late`` (formulas that read rollups) on the entities of ``keys``."""
    owner = q.label(entity_type.name)
    kinds = {spec.name: spec.kind for spec in entity_type.properties}
    rows = []
    for row in await fetch(tx, cypher(q.ROLLUP_OWNER_PROPS, Owner=owner), keys=keys):
        key = row["props"]["key"]
        values = with_computed(
            late, decode_props(entity_type, row["props"]), (entity_type.name, key), key
        )
        props = {name: neo4j_value(kinds[name], values.get(name)) for name in late}
        rows.append({"key": key, "props": props})
    await fetch(tx, cypher(q.ROLLUP_OWNER_SET, Owner=owner), rows=rows)


async def keep_current(tx: AsyncManagedTransaction, registry: Registry, touched: Touched) -> None:
    """Recompute the rollups the touched entities concern, for the owners affected."""
    if any(touched.values()):
        await recompute(tx, registry, await owners_of(tx, registry, touched))


async def recompute_all(
    tx: AsyncManagedTransaction, registry: Registry, rollups: Iterable[StoredRollup]
) -> None:
    """Every owner's value of each of ``rollups`` (a definition change)."""
    work = []
    for rollup in rollups:
        rows = await fetch(tx, cypher(q.ENTITY_PROPS_ALL, Label=q.label(rollup.owner)))
        work.append((rollup, {row["props"]["key"] for row in rows}))
    await recompute(tx, registry, work)


def _walk(stored: StoredRollup) -> str:
    hops = stored.rollup.hops
    far = f"(f:{q.label(stored.rollup.far_type)})"
    if len(hops) == 1:
        return f"{_arrow(hops[0], forward=True)}{far}"
    return (
        f"{_arrow(hops[0], forward=True)}(m:{q.label(stored.types[1])}) "
        f"WITH DISTINCT o, m MATCH (m){_arrow(hops[1], forward=True)}{far}"
    )


async def _store(
    tx: AsyncManagedTransaction, registry: Registry, stored: StoredRollup, owners: list[str]
) -> None:
    rollup = stored.rollup
    owner = q.label(rollup.owner)
    await fetch(tx, cypher(q.ROLLUP_LOCK, Owner=owner), keys=owners)
    far_type = registry.entity_type(rollup.far_type)
    far_rows: dict[str, list[dict[str, Any]]] = {key: [] for key in owners}
    for row in await fetch(tx, cypher(q.ROLLUP_FAR, Owner=owner, walk=_walk(stored)), keys=owners):
        fields = decode_props(far_type, row["props"])
        fields["key"] = row["props"]["key"]
        far_rows[row["owner"]].append(fields)
    rows = [
        {"key": key, "v": value_to_json(rollup.kind, rollup_value(rollup, fars))}
        for key, fars in far_rows.items()
    ]
    statement = cypher(
        q.ROLLUP_STORE,
        Owner=owner,
        prop=q.prop(stored.name),
        value=_DECODE.get(rollup.kind, "row.v"),
    )
    await fetch(tx, statement, rows=rows)


__all__ = ["affected_owners", "keep_current", "owners_of", "recompute", "recompute_all"]
