"""Relation quantifiers: parsing, errors with their paths, limits and pure evaluation."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import (
    GraphCrmError,
    InvalidInput,
    LimitExceeded,
    UnknownProperty,
    UnknownType,
)
from graph_crm.model.query import (
    MAX_FILTER_DEPTH,
    MAX_FILTER_NODES,
    All,
    Compare,
    Filter,
    Not,
    Op,
    Quantifier,
    Related,
    check_filter,
    evaluate,
    evaluate_in_graph,
)
from graph_crm.model.registry import Registry
from graph_crm.model.traversal import Direction, plan_traversal
from graph_crm.model.types import PropertyKind, parse_entity_type, parse_relation_type

REGISTRY = Registry.from_definitions(
    1,
    [
        parse_entity_type({"name": "Customer", "properties": [{"name": "name", "kind": "STRING"}]}),
        parse_entity_type(
            {"name": "Subsidiary", "properties": [{"name": "country", "kind": "STRING"}]}
        ),
        parse_entity_type({"name": "Buyer"}),
    ],
    [
        parse_relation_type({"name": "HAS_SUBSIDIARY", "from": "Customer", "to": "Subsidiary"}),
        parse_relation_type({"name": "EMPLOYS", "from": "Subsidiary", "to": "Buyer"}),
        parse_relation_type({"name": "PARENT_OF", "from": "Customer", "to": "Customer"}),
    ],
)
CN = Compare("country", PropertyKind.STRING, Op.EQ, "CN")


def parse(where: Any, type_name: str = "Customer") -> Filter | None:
    return check_filter(REGISTRY.entity_type(type_name), where, registry=REGISTRY)


def test_parses_to_a_typed_node() -> None:
    assert parse({"HAS_SUBSIDIARY": {"some": {"country": {"eq": "CN"}}}}) == Related(
        "HAS_SUBSIDIARY", Direction.OUT, Quantifier.SOME, "Subsidiary", CN
    )
    assert parse({"HAS_SUBSIDIARY": {"direction": "in", "none": {}}}, "Subsidiary") == Related(
        "HAS_SUBSIDIARY", Direction.IN, Quantifier.NONE, "Customer", None
    )
    # beside a property, under not, nested, and with nulls meaning "not given"
    employs = Related("EMPLOYS", Direction.OUT, Quantifier.NONE, "Buyer", None)
    assert parse(
        {
            "name": {"eq": "ACME"},
            "not": {
                "HAS_SUBSIDIARY": {
                    "direction": None,
                    "some": {"EMPLOYS": {"none": {}}},
                    "none": None,
                }
            },
        }
    ) == All(
        (
            Compare("name", PropertyKind.STRING, Op.EQ, "ACME"),
            Not(Related("HAS_SUBSIDIARY", Direction.OUT, Quantifier.SOME, "Subsidiary", employs)),
        )
    )
    parent = parse({"PARENT_OF": {"direction": "IN", "some": {"name": {"eq": "Holding"}}}})
    assert isinstance(parent, Related)
    assert (parent.direction, parent.far_type) == (Direction.IN, "Customer")


HS = "HAS_SUBSIDIARY"
AT_HS = ("where", HS)


@pytest.mark.parametrize(
    ("type_name", "where", "error", "path"),
    [
        ("Customer", {"NO_SUCH": {"some": {}}}, UnknownType, ("where", "NO_SUCH")),
        ("Customer", {"A`]->() //": {"some": {}}}, UnknownType, ("where", "A`]->() //")),
        # the wrong end: OUT starts at the relation's from type, IN at its to type
        ("Subsidiary", {HS: {"some": {}}}, InvalidInput, AT_HS),
        ("Buyer", {"EMPLOYS": {"some": {}}}, InvalidInput, ("where", "EMPLOYS")),
        ("Customer", {HS: {"direction": "IN", "some": {}}}, InvalidInput, AT_HS),
        ("Customer", {HS: {"some": {}, "none": {}}}, InvalidInput, AT_HS),
        ("Customer", {HS: {"direction": "OUT"}}, InvalidInput, AT_HS),
        ("Customer", {HS: {}}, InvalidInput, AT_HS),
        ("Customer", {HS: None}, InvalidInput, AT_HS),
        ("Customer", {HS: {"direction": "BOTH", "some": {}}}, InvalidInput, (*AT_HS, "direction")),
        ("Customer", {HS: {"direction": ["OUT"], "some": {}}}, InvalidInput, (*AT_HS, "direction")),
        ("Customer", {HS: {"every": {}}}, InvalidInput, (*AT_HS, "every")),
        ("Customer", {HS: {"some": "CN"}}, InvalidInput, (*AT_HS, "some")),
        (
            "Customer",
            {HS: {"some": {"name": {"eq": "x"}}}},
            UnknownProperty,
            (*AT_HS, "some", "name"),
        ),
        (
            "Customer",
            {"or": [{HS: {"some": {"EMPLOYS": {"some": {"x": {"eq": 1}}}}}}]},
            UnknownProperty,
            ("where", "or", 0, HS, "some", "EMPLOYS", "some", "x"),
        ),
    ],
)
def test_errors_name_their_path(
    type_name: str, where: Any, error: type[GraphCrmError], path: tuple[Any, ...]
) -> None:
    with pytest.raises(error) as caught:
        parse(where, type_name)
    assert type(caught.value) is error
    assert caught.value.path == path


def test_a_traversal_step_checks_quantifiers_against_where_it_lands() -> None:
    step = {"relation": "HAS_SUBSIDIARY", "where": {"EMPLOYS": {"some": {}}}}
    plan = plan_traversal(REGISTRY, {"Customer"}, [step])
    assert plan.steps[0].where == Related("EMPLOYS", Direction.OUT, Quantifier.SOME, "Buyer", None)
    wrong = {"relation": "HAS_SUBSIDIARY", "where": {"HAS_SUBSIDIARY": {"some": {}}}}
    with pytest.raises(InvalidInput) as caught:
        plan_traversal(REGISTRY, {"Customer"}, [wrong])
    assert caught.value.path == ("steps", 0, "where", "HAS_SUBSIDIARY")


def test_limits_count_nested_relation_filters() -> None:
    # PARENT_OF goes from Customer to Customer, so it can nest without end
    where: dict[str, Any] = {"name": {"eq": "x"}}
    for _ in range(MAX_FILTER_DEPTH):
        where = {"PARENT_OF": {"some": where}}
    assert parse(where) is not None
    with pytest.raises(LimitExceeded):
        parse({"PARENT_OF": {"some": where}})
    # each quantifier and each filter object is a part
    wide: dict[str, Any] = {
        "or": [{"PARENT_OF": {"some": {}}} for _ in range(MAX_FILTER_NODES // 2)]
    }
    with pytest.raises(LimitExceeded) as caught:
        parse(wide)
    assert caught.value.path[:2] == ("where", "or")
    assert parse({"or": [{"PARENT_OF": {"some": {}}} for _ in range(MAX_FILTER_NODES // 3)]})


def test_evaluate_needs_a_callback_for_quantifiers() -> None:
    flt = Not(Related("HAS_SUBSIDIARY", Direction.OUT, Quantifier.SOME, "Subsidiary", None))
    with pytest.raises(ValueError, match="HAS_SUBSIDIARY"):
        evaluate(flt, {})
    # under not, a quantifier is a boolean: never unknown
    assert evaluate(flt, {}, lambda related: False) is True
    assert evaluate(All((flt, CN)), {"country": "CN"}, lambda related: True) is False


def test_evaluate_in_graph_follows_directions_and_nesting() -> None:
    subsidiaries = {"ACME": ["SH", "DE"], "BETA": ["AT"], "HOLD": []}
    buyers = {"SH": ["B1"], "DE": [], "AT": []}
    fields: dict[str, dict[str, Any]] = {
        "ACME": {},
        "BETA": {},
        "HOLD": {},
        "SH": {"country": "CN"},
        "DE": {"country": "DE"},
        "AT": {},
        "B1": {},
    }

    def far_ends(node: str, related: Related) -> list[str]:
        if related.relation == "EMPLOYS":
            return buyers[node]
        if related.direction is Direction.OUT:
            return subsidiaries[node]
        return [c for c, subs in subsidiaries.items() if node in subs]

    def passing(where: Any, nodes: dict[str, list[str]] = subsidiaries) -> list[str]:
        flt = parse(where, "Customer" if nodes is subsidiaries else "Subsidiary")
        assert flt is not None
        return [n for n in nodes if evaluate_in_graph(flt, n, fields.__getitem__, far_ends)]

    assert passing({"HAS_SUBSIDIARY": {"some": {"country": {"eq": "CN"}}}}) == ["ACME"]
    # AT's missing country is not "ne CN" (unknown), so BETA has none that is
    assert passing({"HAS_SUBSIDIARY": {"none": {"country": {"ne": "CN"}}}}) == ["BETA", "HOLD"]
    assert passing({"HAS_SUBSIDIARY": {"some": {"EMPLOYS": {"some": {}}}}}) == ["ACME"]
    owned = {"HAS_SUBSIDIARY": {"direction": "IN", "some": {}}}
    assert passing(owned, buyers) == ["SH", "DE", "AT"]
