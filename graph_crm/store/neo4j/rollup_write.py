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
from graph_crm.model.formula.stored import StoredRollup
from graph_crm.model.formula.stored_rollup import rollup_value
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind
from graph_crm.model.values import value_to_json
from graph_crm.store.neo4j import queries as q
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
    """Store each rollup's value on its owners (owners that no longer exist are skipped)."""
    for rollup, owners in work:
        ordered = sorted(owners)
        for start in range(0, len(ordered), BATCH):
            await _store(tx, registry, rollup, ordered[start : start + BATCH])


async def keep_current(tx: AsyncManagedTransaction, registry: Registry, touched: Touched) -> None:
    """Recompute the rollups the touched entities concern, for the owners affected."""
    if any(touched.values()):
        await recompute(tx, registry, await owners_of(tx, registry, touched))


async def recompute_all(
    tx: AsyncManagedTransaction, registry: Registry, rollups: Iterable[StoredRollup]
) -> None:
    """Every owner's value of each of ``rollups`` (a definition change)."""
    for rollup in rollups:
        rows = await fetch(tx, cypher(q.ENTITY_PROPS_ALL, Label=q.label(rollup.owner)))
        keys = {row["props"]["key"] for row in rows}
        await recompute(tx, registry, [(rollup, keys)])


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
