"""Orders placed by customers, reached from a source (a warehouse, a supplier): the types
the time-aware policy tests share."""

from __future__ import annotations

from typing import Any

from graph_crm.store.base import GraphStore

ORDER_TYPE: dict[str, Any] = {
    "name": "Order",
    "properties": [
        {"name": "orderDate", "kind": "DATE"},
        {"name": "shippedDate", "kind": "DATE"},
        {"name": "dueDate", "kind": "DATE"},
        {"name": "amount", "kind": "INT"},
        {"name": "note", "kind": "STRING"},
    ],
}


async def define_order_types(store: GraphStore, source: str, link: dict[str, str]) -> None:
    """``source``, Customer and Order, ``link`` (between the source and Order) and
    Customer -PLACED-> Order."""
    await store.define_entity_type({"name": source})
    await store.define_entity_type({"name": "Customer"})
    await store.define_entity_type(ORDER_TYPE)
    await store.define_relation_type(link)
    await store.define_relation_type({"name": "PLACED", "from": "Customer", "to": "Order"})
