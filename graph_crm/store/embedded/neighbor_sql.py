"""The one SQLite statement behind a batched neighbour read."""

from __future__ import annotations

import json
from typing import Any

from graph_crm.model.neighbors import NeighborPlan
from graph_crm.model.traversal import Direction
from graph_crm.store.embedded.sql import RelatedSets, compile_filter, compile_order


def neighbors_sql(plan: NeighborPlan) -> tuple[str, list[Any]]:
    """The statement and its parameters; rows are (near key, far entity row, relation row).

    The far entity is aliased ``e`` so the shared filter and order compilers apply to it;
    ``row_number()`` over each near entity cuts its list at ``first``. CROSS JOIN fixes
    the join order (near keys, then their relations, then the far ends), so the cost
    grows with the relations touched; left alone, the planner may scan a whole type.
    """
    # fixed column names, never input: which end of a relation is the near one
    near, far = ("from_id", "to_id") if plan.direction is Direction.OUT else ("to_id", "from_id")
    # parameters bind in text order, and the window's ORDER BY comes first
    params: list[Any] = []
    order_sql = compile_order(plan.order, params)
    params += [plan.relation.name, plan.near_type.name, json.dumps(plan.distinct_keys)]
    sets = RelatedSets()
    where_sql = "1" if plan.where is None else compile_filter(plan.where, params, sets)
    params.append(plan.first)
    sql = (
        f"{sets.clause()}SELECT near_key, far_key, far_props, far_created, far_updated, "
        "rel_props, rel_created, rel_updated FROM ("
        "SELECT a.key AS near_key, e.key AS far_key, e.props AS far_props, "
        "e.created_at AS far_created, e.updated_at AS far_updated, r.props AS rel_props, "
        "r.created_at AS rel_created, r.updated_at AS rel_updated, "
        f"row_number() OVER (PARTITION BY r.{near} ORDER BY {order_sql}) AS rank "
        f"FROM entities a CROSS JOIN relations r ON r.{near} = a.id AND r.type = ? "
        f"CROSS JOIN entities e ON e.id = r.{far} "
        "WHERE a.type = ? AND a.key IN (SELECT value FROM json_each(?)) "
        f"AND {where_sql}) WHERE rank <= ? ORDER BY near_key, rank"
    )
    return sql, [*sets.params, *params]
