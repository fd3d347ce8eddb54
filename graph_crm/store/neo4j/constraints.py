"""The Neo4j constraints a registry wants (a key per entity type, one per unique
property), and making the database's match them."""

from __future__ import annotations

from collections.abc import Collection
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
    droppable: Collection[str] = (),
    owned: Collection[str] = (),
) -> None:
    """Make the database's graph_crm constraints match ``registry``: create the ones it
    wants; unless ``drop`` is false, drop the unwanted ones that are

    - in ``droppable`` (the ones one change may have made or left behind), or
    - *unique-property* constraints on the label of an entity type in ``owned``: a type's
      definition owns every unique constraint on its label (one left by an interrupted
      change, or by a type of the same name dropped and defined again), since such a
      constraint could refuse a write the registry allows.

    Never another unwanted one: another process may just have made it for a definition
    of its own that has not committed yet. An unwanted key constraint stays unless
    ``droppable`` names it: it holds ``key`` unique for a label, which refuses nothing
    graph-crm would write. Unique constraints on the label of a type no registry holds
    stay too: no write reaches a type that is not defined, and the type, defined again,
    owns them (so a test database emptied between tests keeps its constraints, and Neo4j
    need not plan its queries again after each schema change).
    """
    wanted = wanted_constraints(registry)
    rows = await transactions.auto(cypher(q.CONSTRAINT_LIST))
    labels = {str(row["name"]): tuple(row["labelsOrTypes"] or ()) for row in rows}
    for name, statement in sorted(wanted.items()):
        if name not in labels:
            await transactions.auto(statement)
    if not drop:
        return
    owned_labels = set(owned)
    for name in sorted(set(labels) - set(wanted)):
        unique = name.startswith("graph_crm_unique_")
        listed = name in droppable and (unique or name.startswith("graph_crm_key_"))
        if listed or (unique and owned_labels.intersection(labels[name])):
            await transactions.auto(cypher(q.CONSTRAINT_DROP, name=f"`{name}`"))
