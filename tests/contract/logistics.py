"""A small cross-border logistics graph for impact tests, and plans over it.

W1 <-ROUTED_VIA- S1 (IN_TRANSIT, 100.0, promised 03-05) -SHIPPED_FOR-> CA
W1 <-ROUTED_VIA- S2 (IN_TRANSIT,  50.5, promised 03-02) -SHIPPED_FOR-> CA
W1 <-ROUTED_VIA- S3 (DELIVERED,  999.0)                  -SHIPPED_FOR-> CB
W1 <-ROUTED_VIA- S4 (IN_TRANSIT,  10.0) -ROUTED_VIA-> W2;  S4 -SHIPPED_FOR-> CB
W1 <-ROUTED_VIA- S5 (IN_TRANSIT,   7.0) -SHIPPED_FOR-> CX1 and CX2
W2 <-ROUTED_VIA- S6 (BOOKED, promised 03-04) -SHIPPED_FOR-> CE
W2 <-ROUTED_VIA- S7 (BOOKED, promised 03-01) -SHIPPED_FOR-> CB
W2 <-ROUTED_VIA- S8 (DELIVERED)              -SHIPPED_FOR-> CE
G -PARENT_OF-> PX -PARENT_OF-> CX1, CX2;   PB -PARENT_OF-> CB, CE
CA has contracts KA0 (expired 01-01), KA1 (03-20), KA2 (03-15 08:00); G has KG1, KG2
(both 03-12), PB has KPB; CA filed complaints around a 7-day window before AS_OF.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graph_crm.impact.plan import (
    Complaints,
    ImpactPlan,
    LinkedProperty,
    PlanStep,
    Rollup,
    StepProperty,
)
from graph_crm.model.query import Filter, check_filter
from graph_crm.model.registry import ChangeKind, Registry
from graph_crm.model.traversal import Direction
from graph_crm.model.types import PropertyKind
from graph_crm.services.incidents import report_disruption
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation

AS_OF = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
STATUSES = ["BOOKED", "IN_TRANSIT", "DELIVERED"]
ENTITY_TYPES: list[dict[str, Any]] = [
    {"name": "Warehouse", "properties": [{"name": "name", "kind": "STRING"}]},
    {
        "name": "Shipment",
        "properties": [
            {"name": "status", "kind": "ENUM", "values": STATUSES},
            {"name": "value", "kind": "FLOAT"},
            {"name": "promisedBy", "kind": "DATE"},
        ],
    },
    {"name": "Customer", "properties": [{"name": "name", "kind": "STRING"}]},
    {"name": "Contract", "properties": [{"name": "slaDeadline", "kind": "DATETIME"}]},
    {"name": "Complaint", "properties": [{"name": "filedAt", "kind": "DATETIME"}]},
]
RELATION_TYPES: list[dict[str, Any]] = [
    {"name": "ROUTED_VIA", "from": "Shipment", "to": "Warehouse"},
    {"name": "SHIPPED_FOR", "from": "Shipment", "to": "Customer"},
    {"name": "PARENT_OF", "from": "Customer", "to": "Customer"},
    {"name": "HAS_CONTRACT", "from": "Customer", "to": "Contract"},
    {"name": "FILED", "from": "Customer", "to": "Complaint"},
]

SHIPMENTS: list[dict[str, Any]] = [
    {"key": "S1", "status": "IN_TRANSIT", "value": 100.0, "promisedBy": "2026-03-05"},
    {"key": "S2", "status": "IN_TRANSIT", "value": 50.5, "promisedBy": "2026-03-02"},
    {"key": "S3", "status": "DELIVERED", "value": 999.0},
    {"key": "S4", "status": "IN_TRANSIT", "value": 10.0},
    {"key": "S5", "status": "IN_TRANSIT", "value": 7.0},
    {"key": "S6", "status": "BOOKED", "promisedBy": "2026-03-04"},
    {"key": "S7", "status": "BOOKED", "promisedBy": "2026-03-01"},
    {"key": "S8", "status": "DELIVERED"},
]
LINKS: dict[str, list[tuple[str, str]]] = {
    "ROUTED_VIA": [
        *((s, "W1") for s in ("S1", "S2", "S3", "S4", "S5")),
        *((s, "W2") for s in ("S4", "S6", "S7", "S8")),
    ],
    "SHIPPED_FOR": [
        ("S1", "CA"),
        ("S2", "CA"),
        ("S3", "CB"),
        ("S4", "CB"),
        ("S5", "CX1"),
        ("S5", "CX2"),
        ("S6", "CE"),
        ("S7", "CB"),
        ("S8", "CE"),
    ],
    "PARENT_OF": [("G", "PX"), ("PX", "CX1"), ("PX", "CX2"), ("PB", "CB"), ("PB", "CE")],
    "HAS_CONTRACT": [
        ("CA", "KA0"),
        ("CA", "KA1"),
        ("CA", "KA2"),
        ("G", "KG1"),
        ("G", "KG2"),
        ("PB", "KPB"),
    ],
    "FILED": [("CA", f"F{i}") for i in range(1, 5)] + [("G", "F5")],
}
CONTRACTS = {
    "KA0": "2026-01-01T00:00:00Z",
    "KA1": "2026-03-20T00:00:00Z",
    "KA2": "2026-03-15T08:00:00Z",
    "KG1": "2026-03-12T00:00:00Z",
    "KG2": "2026-03-12T00:00:00Z",
    "KPB": "2026-04-01T00:00:00Z",
}
#: Around the window [AS_OF - 7 days, AS_OF]: both edges are inside, a microsecond off is not.
COMPLAINTS = {
    "F1": "2026-03-03T12:00:00Z",
    "F2": "2026-03-03T11:59:59.999999Z",
    "F3": "2026-03-10T12:00:00Z",
    "F4": "2026-03-10T12:00:00.000001Z",
    "F5": "2026-03-09T00:00:00Z",
}


async def load_logistics(store: GraphStore) -> Registry:
    """The logistics types as one registry change, their data as one batch (one
    transaction, an audit record per type and relation written); the registry it made."""
    await store.apply_definitions(
        [
            *(DefinitionOperation(ChangeKind.DEFINE_ENTITY_TYPE, d) for d in ENTITY_TYPES),
            *(DefinitionOperation(ChangeKind.DEFINE_RELATION_TYPE, d) for d in RELATION_TYPES),
        ]
    )
    customers = ("CA", "CB", "CE", "CX1", "CX2", "PX", "PB", "G")
    await store.write_batch(
        {
            "Warehouse": [{"key": k} for k in ("W1", "W2", "W3")],
            "Shipment": SHIPMENTS,
            "Customer": [{"key": k, "name": f"{k} Ltd"} for k in customers],
            "Contract": [{"key": k, "slaDeadline": v} for k, v in CONTRACTS.items()],
            "Complaint": [{"key": k, "filedAt": v} for k, v in COMPLAINTS.items()],
        },
        {relation: [{"from": f, "to": t} for f, t in pairs] for relation, pairs in LINKS.items()},
    )
    return await store.registry()


async def open_w1_incident(store: GraphStore, actor: str = "setup", **more: Any) -> str:
    """The id of the incident a 3-day delay at W1 opens (or updates), as of AS_OF."""
    made = await report_disruption(
        store,
        source_type="Warehouse",
        source_key="W1",
        delay_days=3,
        starts_at=None,
        now=AS_OF,
        actor=actor,
        **more,
    )
    return made.incident.id


def where(registry: Registry, type_name: str, raw: dict[str, Any]) -> Filter | None:
    return check_filter(registry.entity_type(type_name), raw, registry=registry)


def shipment_plan(
    registry: Registry,
    *,
    status: list[str] | None = None,
    rollup: Rollup | None = None,
    linked_sla: bool = False,
    window_days: int = 7,
) -> ImpactPlan:
    """W <-ROUTED_VIA- Shipment -SHIPPED_FOR-> Customer, every signal set."""
    shipment_filter = (
        None if status is None else where(registry, "Shipment", {"status": {"in": status}})
    )
    sla: StepProperty | LinkedProperty = StepProperty(1, "promisedBy", PropertyKind.DATE)
    if linked_sla:
        sla = LinkedProperty(
            "HAS_CONTRACT",
            Direction.OUT,
            "Contract",
            "slaDeadline",
            PropertyKind.DATETIME,
            where(registry, "Contract", {"slaDeadline": {"gte": "2026-03-01T00:00:00Z"}}),
        )
    return ImpactPlan(
        policy="customs-delay",
        version=1,
        source_type="Warehouse",
        target_type="Customer",
        steps=(
            PlanStep("ROUTED_VIA", Direction.IN, "Shipment", shipment_filter),
            PlanStep("SHIPPED_FOR", Direction.OUT, "Customer"),
        ),
        rollup=rollup,
        sla=sla,
        exposure=StepProperty(1, "value", PropertyKind.FLOAT),
        complaints=Complaints(
            "FILED", Direction.OUT, "Complaint", "filedAt", PropertyKind.DATETIME, window_days
        ),
    )


def customs_policy(**changes: Any) -> dict[str, Any]:
    """The policy tests use over this graph (JSON, as a config officer writes it)."""
    policy: dict[str, Any] = {
        "name": "customs-delay",
        "description": "Goods in transit through a held warehouse",
        "source": "Warehouse",
        "target": "Customer",
        "steps": [
            {
                "relation": "ROUTED_VIA",
                "direction": "IN",
                "where": {"status": {"eq": "IN_TRANSIT"}},
            },
            {"relation": "SHIPPED_FOR", "direction": "OUT"},
        ],
        "rollup": {"relation": "PARENT_OF", "direction": "IN", "maxHops": 2},
        "signals": {
            "sla": {
                "linked": {
                    "relation": "HAS_CONTRACT",
                    "direction": "OUT",
                    "where": {"slaDeadline": {"gte": "2026-03-01T00:00:00Z"}},
                },
                "property": "slaDeadline",
            },
            "exposure": {"step": 1, "property": "value"},
            "complaints": {
                "relation": "FILED",
                "direction": "OUT",
                "dateProperty": "filedAt",
                "windowDays": 7,
            },
        },
        "scoring": {
            "weights": {"urgency": 0.5, "exposure": 0.3, "complaints": 0.2},
            "urgencyTauDays": 7,
            "exposureReference": 1000,
            "complaintsReference": 4,
        },
        "tiers": [
            {"tier": "T1", "label": "Breach predicted", "when": {"gapDays": {"gte": 0}}},
            {"tier": "T2", "label": "Breach within 3 days", "when": {"gapDays": {"gte": -3}}},
            {"tier": "T3", "label": "No breach predicted", "when": {}},
        ],
        "plans": [
            {"when": {"tier": {"eq": "T1"}}, "actions": ["Call the account manager today"]},
            {"when": {"tier": {"eq": "T2"}}, "actions": ["Send a revised ETA"]},
            {"when": {"complaints": {"gte": 2}}, "actions": ["Assign a human contact"]},
            {"when": {"tier": {"eq": "T3"}}, "actions": ["Monitor"]},
        ],
    }
    policy.update(changes)
    return policy
