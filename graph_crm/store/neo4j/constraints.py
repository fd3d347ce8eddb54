"""The Neo4j constraints a registry wants (a key per entity type, one per unique
property), and making the database's match them."""

from __future__ import annotations

from typing import LiteralString

from graph_crm.model.registry import Registry
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.statements import cypher
from graph_crm.store.neo4j.transactions import Transactions


def wanted_constraints(registry: Registry) -> dict[str, LiteralString]:
    """Constraint name -> the statement creating it, for every constraint ``registry``
    needs."""
    wanted: dict[str, LiteralString] = {}
    for entity_type in registry.entity_types.values():
        name = q.constraint_name("key", entity_type.name)
        wanted[name.strip("`")] = cypher(
            q.CONSTRAINT_KEY, name=name, Label=q.label(entity_type.name)
        )
        for spec in entity_type.unique_properties:
            name = q.constraint_name("unique", entity_type.name, spec.name)
            wanted[name.strip("`")] = cypher(
                q.CONSTRAINT_UNIQUE,
                name=name,
                Label=q.label(entity_type.name),
                prop=q.prop(spec.name),
            )
    return wanted


async def reconcile_constraints(
    transactions: Transactions,
    registry: Registry,
    *,
    drop: bool = True,
    droppable: set[str] | None = None,
) -> None:
    """Make the database's graph_crm constraints match ``registry``.

    ``droppable``: drop only these of the constraints ``registry`` does not want (the
    ones one change may have made or left behind), never one another process has just
    made for a definition of its own that has not committed yet.

    Without ``droppable`` (the clean-up when a store opens, after a definition change
    that was interrupted) only the unwanted *unique-property* constraints go: they could
    refuse a write the registry allows. An unwanted key constraint stays: it holds
    ``key`` unique for a label no type uses, which refuses nothing graph-crm would
    write, and the type it was made for, defined again, finds it in place.
    """
    wanted = wanted_constraints(registry)
    existing = {row["name"] for row in await transactions.auto(cypher(q.CONSTRAINT_LIST))}
    for name, statement in sorted(wanted.items()):
        if name not in existing:
            await transactions.auto(statement)
    if drop:
        for name in sorted(existing - set(wanted)):
            if droppable is None:
                if name.startswith("graph_crm_unique_"):
                    await transactions.auto(cypher(q.CONSTRAINT_DROP, name=f"`{name}`"))
                continue
            if name in droppable and name.startswith(("graph_crm_key_", "graph_crm_unique_")):
                await transactions.auto(cypher(q.CONSTRAINT_DROP, name=f"`{name}`"))
