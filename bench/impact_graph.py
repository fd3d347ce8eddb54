"""The impact benchmark's graph: a deterministic logistics network with probe warehouses.

    Warehouse <-HELD_AT- Container <-PACKED_IN- Shipment -FULFILS-> Order -PLACED_BY-> Buyer
      -WORKS_FOR-> Customer;  Customer -PARENT_OF-> Customer, -HAS_CONTRACT-> Contract,
      -FILED-> Complaint

Every customer has 1-2 buyers, ~3 shipments (each with its own order, 70% IN_TRANSIT),
a contract and ~3 complaints; ~13 entities per customer. The shipments of the customers
in probe ``A`` all go through warehouse ``PROBE-<A>`` (A = affected customers), the rest
through ~20 background warehouses, so a probe's reach does not depend on the graph size.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.ingest_crm import Graph
from graph_crm.impact.plan import ImpactPlan
from graph_crm.impact.policy import compile_policy
from graph_crm.model.registry import Registry
from graph_crm.model.traversal import Direction

Row = dict[str, Any]
AS_OF = datetime(2026, 3, 10, tzinfo=UTC)
ENTITIES_PER_CUSTOMER = 13.25
STATUSES = ["BOOKED", "IN_TRANSIT", "DELIVERED"]

ENTITY_TYPES: list[Row] = [
    {"name": "Warehouse", "properties": [{"name": "name", "kind": "STRING"}]},
    {"name": "Container", "properties": [{"name": "number", "kind": "STRING"}]},
    {
        "name": "Shipment",
        "properties": [
            {"name": "status", "kind": "ENUM", "values": STATUSES},
            {"name": "value", "kind": "FLOAT"},
            {"name": "promisedBy", "kind": "DATE"},
        ],
    },
    {"name": "Order", "properties": [{"name": "placedOn", "kind": "DATE"}]},
    {"name": "Buyer", "properties": [{"name": "name", "kind": "STRING"}]},
    {"name": "Customer", "properties": [{"name": "name", "kind": "STRING"}]},
    {"name": "Contract", "properties": [{"name": "slaDeadline", "kind": "DATETIME"}]},
    {"name": "Complaint", "properties": [{"name": "filedAt", "kind": "DATETIME"}]},
]
RELATION_TYPES: list[Row] = [
    {"name": "HELD_AT", "from": "Container", "to": "Warehouse"},
    {"name": "PACKED_IN", "from": "Shipment", "to": "Container"},
    {"name": "FULFILS", "from": "Shipment", "to": "Order"},
    {"name": "PLACED_BY", "from": "Order", "to": "Buyer"},
    {"name": "WORKS_FOR", "from": "Buyer", "to": "Customer"},
    {"name": "PARENT_OF", "from": "Customer", "to": "Customer"},
    {"name": "HAS_CONTRACT", "from": "Customer", "to": "Contract"},
    {"name": "FILED", "from": "Customer", "to": "Complaint"},
]
#: (relation, direction) of each step of the plan, then the roll-up and the signals.
PLAN_HOPS = [
    ("HELD_AT", Direction.IN),
    ("PACKED_IN", Direction.IN),
    ("FULFILS", Direction.OUT),
    ("PLACED_BY", Direction.OUT),
    ("WORKS_FOR", Direction.OUT),
]


def policy() -> Row:
    """Five typed hops from a warehouse to customers, in-transit only, rolled up 2 levels."""
    return {
        "name": "customs-delay",
        "source": "Warehouse",
        "target": "Customer",
        "steps": [
            {"relation": relation, "direction": direction.value}
            | ({"where": {"status": {"eq": "IN_TRANSIT"}}} if relation == "PACKED_IN" else {})
            for relation, direction in PLAN_HOPS
        ],
        "rollup": {"relation": "PARENT_OF", "direction": "IN", "maxHops": 2},
        "signals": {
            "sla": {
                "linked": {"relation": "HAS_CONTRACT", "direction": "OUT"},
                "property": "slaDeadline",
            },
            "exposure": {"step": 2, "property": "value"},
            "complaints": {
                "relation": "FILED",
                "direction": "OUT",
                "dateProperty": "filedAt",
                "windowDays": 90,
            },
        },
        "scoring": {
            "weights": {"urgency": 0.5, "exposure": 0.3, "complaints": 0.2},
            "exposureReference": 1_000_000,
        },
        "tiers": [
            {"tier": "T1", "label": "Breach predicted", "when": {"gapDays": {"gte": 0}}},
            {"tier": "T2", "label": "Close", "when": {"gapDays": {"gte": -3}}},
            {"tier": "T3", "label": "No breach predicted", "when": {}},
        ],
        "plans": [{"when": {"tier": {"eq": "T1"}}, "actions": ["Call the customer today"]}],
    }


def plan(registry: Registry) -> ImpactPlan:
    """The policy's plan, as a backend evaluates it."""
    return compile_policy(registry, policy()).plan


def probes_that_fit(entities: int, wanted: list[int]) -> list[int]:
    """The probe sizes whose customers fit in the graph (together, 80% of the customers)."""
    room, chosen = 0.8 * entities / ENTITIES_PER_CUSTOMER, []
    for size in sorted(wanted):
        if size <= room:
            chosen.append(size)
            room -= size
    return chosen


def generate(entities: int, probes: list[int], seed: int) -> Graph:
    """About ``entities`` entities; customers of probe A ship only via ``PROBE-<A>``."""
    rng = random.Random(seed)
    n_customers = max(sum(probes) + 1, round(entities / ENTITIES_PER_CUSTOMER))
    background = [f"WH-{i:02d}" for i in range(20)]
    warehouse_of: list[str | None] = [None] * n_customers
    start = 0
    for size in probes:
        for index in range(start, start + size):
            warehouse_of[index] = f"PROBE-{size}"
        start += size
    rows: dict[str, list[Row]] = defaultdict(list)
    links: dict[str, list[Row]] = defaultdict(list)
    for name in background + [f"PROBE-{size}" for size in probes]:
        rows["Warehouse"].append({"key": name, "name": name})
    open_containers: dict[str, tuple[str, int]] = {}
    day0 = date(2026, 3, 1)
    for index in range(n_customers):
        customer = f"C{index:07d}"
        rows["Customer"].append({"key": customer, "name": f"Customer {index}"})
        if index and rng.random() < 0.2:
            # parents are earlier customers: the hierarchy has no cycles
            links["PARENT_OF"].append({"from": f"C{rng.randrange(index):07d}", "to": customer})
        buyers = [f"{customer}-B{b}" for b in range(rng.choice((1, 2)))]
        for buyer in buyers:
            rows["Buyer"].append({"key": buyer, "name": buyer})
            links["WORKS_FOR"].append({"from": buyer, "to": customer})
        deadline = AS_OF + timedelta(hours=rng.randrange(-240, 24 * 60))
        rows["Contract"].append({"key": f"{customer}-K", "slaDeadline": deadline.isoformat()})
        links["HAS_CONTRACT"].append({"from": customer, "to": f"{customer}-K"})
        for c in range(rng.choice((2, 3, 4))):
            filed = AS_OF - timedelta(hours=rng.randrange(24 * 365))
            rows["Complaint"].append({"key": f"{customer}-F{c}", "filedAt": filed.isoformat()})
            links["FILED"].append({"from": customer, "to": f"{customer}-F{c}"})
        for s in range(rng.choice((2, 3, 4))):
            shipment, order = f"{customer}-S{s}", f"{customer}-O{s}"
            warehouse = warehouse_of[index] or rng.choice(background)
            container, held = open_containers.get(warehouse, ("", 4))
            if held >= 4:
                container, held = f"{warehouse}-K{len(rows['Container']):07d}", 0
                rows["Container"].append({"key": container, "number": container})
                links["HELD_AT"].append({"from": container, "to": warehouse})
            open_containers[warehouse] = (container, held + 1)
            rows["Shipment"].append(
                {
                    "key": shipment,
                    "status": rng.choices(STATUSES, weights=(1, 7, 2))[0],
                    "value": round(rng.lognormvariate(8, 1.2), 2),
                    "promisedBy": (day0 + timedelta(days=rng.randrange(40))).isoformat(),
                }
            )
            rows["Order"].append({"key": order, "placedOn": day0.isoformat()})
            links["PACKED_IN"].append({"from": shipment, "to": container})
            links["FULFILS"].append({"from": shipment, "to": order})
            links["PLACED_BY"].append({"from": order, "to": rng.choice(buyers)})
    return Graph(dict(rows), dict(links))


def touched_edges(graph: Graph, warehouse: str) -> int:
    """Relations the plan looks at from ``warehouse``: every typed relation incident to
    the entities each step expands (filtered-out ends included), the roll-up's and the
    signals'. Counted from the generated rows, independent of any backend."""
    forward: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    backward: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for relation, items in graph.links.items():
        for link in items:
            forward[relation][link["from"]].append(link["to"])
            backward[relation][link["to"]].append(link["from"])
    status = {row["key"]: row["status"] for row in graph.entities["Shipment"]}
    frontier, touched = {warehouse}, 0
    for relation, direction in PLAN_HOPS:
        index = forward if direction is Direction.OUT else backward
        found = [far for near in frontier for far in index[relation][near]]
        touched += len(found)
        frontier = {far for far in found if relation != "PACKED_IN" or status[far] == "IN_TRANSIT"}
    tops, level = set(), frontier
    for _ in range(2):
        parents = {p for child in level for p in backward["PARENT_OF"][child]}
        touched += sum(len(backward["PARENT_OF"][child]) for child in level)
        tops |= {child for child in level if not backward["PARENT_OF"][child]}
        level = parents
    tops |= level
    touched += sum(len(backward["PARENT_OF"][top]) for top in level)
    touched += sum(len(forward[rel][top]) for top in tops for rel in ("HAS_CONTRACT", "FILED"))
    return touched
