"""Shared pieces of the formula tests: an order-lines model and its kinds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from graph_crm.model.direction import Direction
from graph_crm.model.formula import Formula, Hop, compile_formula, property_kinds
from graph_crm.model.query import Related
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType, PropertyKind, RelationType, parse_entity_type

K = PropertyKind

ORDER_LINE: Final = parse_entity_type(
    {
        "name": "OrderLine",
        "properties": [
            {"name": "unitPrice", "kind": "FLOAT"},
            {"name": "quantity", "kind": "INT"},
            {"name": "discount", "kind": "FLOAT"},
            {"name": "sku", "kind": "STRING"},
            {"name": "status", "kind": "ENUM", "values": ["OPEN", "CANCELLED"]},
            {"name": "shippedOn", "kind": "DATE"},
            {"name": "gift", "kind": "BOOLEAN"},
            {"name": "extra", "kind": "JSON"},
            {"name": "end", "kind": "DATETIME"},
        ],
    }
)
ORDER: Final = parse_entity_type(
    {
        "name": "Order",
        "properties": [
            {"name": "orderDate", "kind": "DATE"},
            {"name": "shippedDate", "kind": "DATE"},
            {"name": "reference", "kind": "STRING"},
        ],
    }
)
CUSTOMER: Final = EntityType(name="Customer")
COMPLAINT: Final = parse_entity_type(
    {"name": "Complaint", "properties": [{"name": "filedAt", "kind": "DATETIME"}]}
)


def registry() -> Registry:
    return Registry.from_definitions(
        1,
        [ORDER, ORDER_LINE, CUSTOMER, COMPLAINT],
        [
            RelationType(name="HAS_LINE", from_type="Order", to_type="OrderLine"),
            RelationType(name="PLACED", from_type="Customer", to_type="Order"),
            RelationType(name="FILED", from_type="Customer", to_type="Complaint"),
        ],
    )


def line_formula(text: str, path: tuple[Any, ...] = ("properties", 3, "formula")) -> Formula:
    return compile_formula(text, property_kinds(ORDER_LINE), "OrderLine", path)


class Links:
    """A small in-memory graph: relation type -> (from, to) pairs, walked as rollups do."""

    def __init__(self, pairs: dict[str, list[tuple[str, str]]]) -> None:
        self.pairs = pairs

    def step(self, node: str, hop: Hop) -> Iterable[str]:
        pairs = self.pairs[hop.relation]
        if hop.direction is Direction.OUT:
            return [b for a, b in pairs if a == node]
        return [a for a, b in pairs if b == node]

    def far_ends(self, node: str, related: Related) -> Iterable[str]:
        return self.step(node, Hop(related.relation, related.direction))
