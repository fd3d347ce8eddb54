"""Rollups are checked against the registry (relations exist, hops connect, the property
exists and suits the aggregate) and computed over the distinct far entities."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from graph_crm.errors import GraphCrmError, UnknownProperty, UnknownType
from graph_crm.model.direction import Direction
from graph_crm.model.formula import (
    Aggregate,
    FormulaProblem,
    Hop,
    Parameters,
    check_rollup,
    evaluate_rollup,
)
from tests.model.formula_cases import K, Links, registry

REGISTRY = registry()
PATH = ("properties", 0, "rollup")


def test_an_orders_value_is_the_sum_of_its_lines() -> None:
    rollup = check_rollup(
        REGISTRY,
        "Order",
        {"rollup": "sum", "path": ["HAS_LINE"], "property": "lineTotal"},
        PATH,
        computed={"OrderLine": {"lineTotal": K.FLOAT}},
    )
    assert rollup.aggregate is Aggregate.SUM
    assert rollup.hops == (Hop("HAS_LINE", Direction.OUT),)
    assert (rollup.far_type, rollup.kind) == ("OrderLine", K.FLOAT)


def test_two_hops_with_directions_and_a_filter() -> None:
    rollup = check_rollup(
        REGISTRY,
        "Order",
        {
            "rollup": "count",
            "path": [{"relation": "PLACED", "direction": "in"}, "FILED"],
            "where": {"filedAt": {"gte": "2026-01-01T00:00:00Z"}},
        },
    )
    assert rollup.hops == (Hop("PLACED", Direction.IN), Hop("FILED", Direction.OUT))
    assert (rollup.far_type, rollup.kind, rollup.property) == ("Complaint", K.INT, None)
    assert rollup.where is not None


@pytest.mark.parametrize(
    ("raw", "error", "message", "path"),
    [
        ("sum", GraphCrmError, "a rollup is an object", PATH),
        (
            {"rollup": "median", "path": ["HAS_LINE"]},
            GraphCrmError,
            "rollup is one of",
            (*PATH, "rollup"),
        ),
        ({"rollup": "count", "path": []}, GraphCrmError, "list of 1 to 2", (*PATH, "path")),
        ({"rollup": "count", "path": "HAS_LINE"}, GraphCrmError, "list of 1 to 2", (*PATH, "path")),
        (
            {"rollup": "count", "path": ["HAS_LINE"] * 3},
            GraphCrmError,
            "list of 1 to 2",
            (*PATH, "path"),
        ),
        (
            {"rollup": "count", "path": ["SHIPS"]},
            UnknownType,
            "no relation type 'SHIPS'",
            (*PATH, "path", 0),
        ),
        (
            {"rollup": "count", "path": ["FILED"]},
            GraphCrmError,
            "starts at Customer, not at Order",
            (*PATH, "path", 0),
        ),
        (
            {"rollup": "count", "path": [{"relation": "HAS_LINE", "direction": "BOTH"}]},
            GraphCrmError,
            "OUT or IN",
            (*PATH, "path", 0, "direction"),
        ),
        (
            {"rollup": "count", "path": [{"relation": "HAS_LINE", "hops": 3}]},
            GraphCrmError,
            "only relation and direction",
            (*PATH, "path", 0),
        ),
        (
            {"rollup": "count", "path": [{"relation": "HAS_LINE`) DELETE n//"}]},
            UnknownType,
            "no relation type",
            (*PATH, "path", 0),
        ),
        (
            {"rollup": "sum", "path": ["HAS_LINE"]},
            GraphCrmError,
            "sum needs a property",
            (*PATH, "property"),
        ),
        (
            {"rollup": "sum", "path": ["HAS_LINE"], "property": "sku"},
            GraphCrmError,
            "`sku` is STRING; sum needs numbers",
            (*PATH, "property"),
        ),
        (
            {"rollup": "avg", "path": ["HAS_LINE"], "property": "gift"},
            GraphCrmError,
            "avg needs numbers",
            (*PATH, "property"),
        ),
        (
            {"rollup": "max", "path": ["HAS_LINE"], "property": "extra"},
            GraphCrmError,
            "max needs ordered values",
            (*PATH, "property"),
        ),
        (
            {"rollup": "sum", "path": ["HAS_LINE"], "property": "n.price"},
            UnknownProperty,
            "OrderLine has no property",
            (*PATH, "property"),
        ),
        (
            {"rollup": "count", "path": ["HAS_LINE"], "where": {"nope": {"eq": 1}}},
            UnknownProperty,
            "no property 'nope'",
            (*PATH, "where", "nope"),
        ),
        (
            {"rollup": "count", "path": ["HAS_LINE"], "limit": 3},
            GraphCrmError,
            "unknown rollup field(s) limit",
            (*PATH, "limit"),
        ),
    ],
)
def test_a_bad_rollup_is_refused_at_its_path(
    raw: Any, error: type[GraphCrmError], message: str, path: tuple[Any, ...]
) -> None:
    with pytest.raises(error) as caught:
        check_rollup(REGISTRY, "Order", raw, PATH)
    assert message in caught.value.message
    assert caught.value.path == path


def test_min_and_max_keep_the_kind_and_avg_is_a_float() -> None:
    def kind(aggregate: str, name: str) -> K:
        raw = {"rollup": aggregate, "path": ["HAS_LINE"], "property": name}
        return check_rollup(REGISTRY, "Order", raw).kind

    assert kind("max", "shippedOn") is K.DATE
    assert kind("min", "status") is K.STRING
    assert kind("avg", "quantity") is K.FLOAT
    assert kind("sum", "quantity") is K.INT
    assert kind("count", "sku") is K.INT


# A small graph: two customers, their orders, lines and complaints.
FIELDS: dict[str, dict[str, Any]] = {
    "c1": {},
    "c2": {},
    "o1": {},
    "o2": {},
    "o3": {},
    "l1": {"quantity": 2, "unitPrice": 1.5, "status": "OPEN"},
    "l2": {"quantity": 5, "unitPrice": 0.1, "status": "CANCELLED"},
    "l3": {"unitPrice": 0.2, "status": "OPEN"},
    "k1": {"filedAt": datetime(2026, 1, 5, tzinfo=UTC)},
    "k2": {"filedAt": datetime(2025, 6, 5, tzinfo=UTC)},
}
LINKS = Links(
    {
        "PLACED": [("c1", "o1"), ("c1", "o2"), ("c2", "o3")],
        "HAS_LINE": [("o1", "l1"), ("o1", "l2"), ("o1", "l3")],
        "FILED": [("c1", "k1"), ("c1", "k2")],
    }
)
step, far_ends = LINKS.step, LINKS.far_ends


def fields_of(node: str) -> Mapping[str, Any]:
    return FIELDS[node]


def rolled(start: str, raw: dict[str, Any]) -> Any:
    rollup = check_rollup(REGISTRY, "Order" if start.startswith("o") else "Customer", raw)
    return evaluate_rollup(rollup, start, fields_of, step, far_ends)


@pytest.mark.parametrize(
    ("start", "raw", "expected"),
    [
        ("o1", {"rollup": "count", "path": ["HAS_LINE"]}, 3),
        ("o1", {"rollup": "count", "path": ["HAS_LINE"], "property": "quantity"}, 2),
        ("o1", {"rollup": "sum", "path": ["HAS_LINE"], "property": "quantity"}, 7),
        ("o1", {"rollup": "sum", "path": ["HAS_LINE"], "property": "unitPrice"}, 1.8),
        ("o1", {"rollup": "avg", "path": ["HAS_LINE"], "property": "quantity"}, 3.5),
        ("o1", {"rollup": "min", "path": ["HAS_LINE"], "property": "status"}, "CANCELLED"),
        ("o1", {"rollup": "max", "path": ["HAS_LINE"], "property": "quantity"}, 5),
        (
            "o1",
            {
                "rollup": "sum",
                "path": ["HAS_LINE"],
                "property": "quantity",
                "where": {"status": {"eq": "OPEN"}},
            },
            2,
        ),
        ("o2", {"rollup": "sum", "path": ["HAS_LINE"], "property": "quantity"}, 0),
        ("o2", {"rollup": "sum", "path": ["HAS_LINE"], "property": "unitPrice"}, 0.0),
        ("o2", {"rollup": "avg", "path": ["HAS_LINE"], "property": "quantity"}, None),
        ("o2", {"rollup": "max", "path": ["HAS_LINE"], "property": "quantity"}, None),
        ("o2", {"rollup": "count", "path": ["HAS_LINE"]}, 0),
        (
            "c1",
            {
                "rollup": "count",
                "path": ["FILED"],
                "where": {"filedAt": {"gte": "2025-10-07T00:00:00Z"}},
            },
            1,
        ),
        ("c1", {"rollup": "sum", "path": ["PLACED", "HAS_LINE"], "property": "quantity"}, 7),
        (
            "o3",
            {"rollup": "count", "path": [{"relation": "PLACED", "direction": "IN"}, "PLACED"]},
            1,
        ),
        (
            "o1",
            {"rollup": "count", "path": [{"relation": "PLACED", "direction": "IN"}, "PLACED"]},
            2,
        ),
        (
            "o1",
            {
                "rollup": "count",
                "path": [{"relation": "PLACED", "direction": "IN"}, "FILED"],
                "where": {"not": {"filedAt": {"lt": "2025-01-01T00:00:00Z"}}},
            },
            2,
        ),
    ],
)
def test_values_over_the_distinct_far_entities(
    start: str, raw: dict[str, Any], expected: Any
) -> None:
    result = rolled(start, raw)
    assert result == expected
    assert type(result) is type(expected)


def test_a_customers_complaints_in_the_90_days_to_the_as_of_time() -> None:
    raw = {
        "rollup": "count",
        "path": ["FILED"],
        "where": "filedAt > add_days($asOf, -90) AND filedAt <= $asOf",
    }
    rollup = check_rollup(REGISTRY, "Customer", raw, PATH)

    def count(as_of: datetime) -> Any:
        return evaluate_rollup(rollup, "c1", fields_of, step, far_ends, Parameters(as_of=as_of))

    assert count(datetime(2026, 2, 1, tzinfo=UTC)) == 1
    assert count(datetime(2025, 7, 1, tzinfo=UTC)) == 1
    assert count(datetime(2025, 12, 1, tzinfo=UTC)) == 0
    assert count(datetime(2026, 1, 5, tzinfo=UTC)) == 1  # filed at that very instant


@pytest.mark.parametrize(
    ("where", "message", "path"),
    [
        ("filedAt", "this formula gives DATETIME, not BOOLEAN", (*PATH, "where")),
        ("filedAt > 3", "`>` compares DATETIME with INT", (*PATH, "where")),
        ("quantity > 3", "Complaint has no property `quantity`", (*PATH, "where")),
        ("filedAt > '` OR 1=1 //", "this string is not closed", (*PATH, "where")),
    ],
)
def test_a_where_formula_is_a_condition_on_the_far_entity(
    where: str, message: str, path: tuple[Any, ...]
) -> None:
    with pytest.raises(FormulaProblem) as caught:
        check_rollup(
            REGISTRY, "Customer", {"rollup": "count", "path": ["FILED"], "where": where}, PATH
        )
    assert message in caught.value.message
    assert caught.value.path == path
