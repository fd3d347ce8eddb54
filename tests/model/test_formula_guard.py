"""Through the registry's validator hook, a type change that would break a computed
property is refused and names it (as stored policies are protected)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from graph_crm.errors import IncompatibleChange
from graph_crm.model.formula import FormulaProblem
from graph_crm.model.formula.computed import Definition
from graph_crm.model.formula.guard import computed_validator
from graph_crm.model.registry import Registry
from graph_crm.model.types import RelationType, parse_entity_type
from tests.model.formula_cases import ORDER_LINE, registry

AT = datetime(2026, 12, 1, tzinfo=UTC)
COMPUTED: dict[str, dict[str, Definition]] = {
    "OrderLine": {"lineTotal": ("unitPrice * quantity", ("OrderLine", "lineTotal"))},
    "Order": {
        "items": (
            {"rollup": "sum", "path": ["HAS_LINE"], "property": "quantity"},
            ("Order", "items"),
        ),
        "value": (
            {"rollup": "sum", "path": ["HAS_LINE"], "property": "lineTotal"},
            ("Order", "value"),
        ),
    },
}


def guarded() -> Registry:
    plain = registry()
    validator = computed_validator(lambda current: COMPUTED)
    return Registry.from_definitions(
        plain.version,
        list(plain.entity_types.values()),
        list(plain.relation_types.values()),
        validators=[validator],
    )


def order_line(**changes: Any) -> Any:
    data = ORDER_LINE.model_dump(by_alias=True)
    data["properties"] = [p for p in data["properties"] if p["name"] not in changes]
    data["properties"] += [
        {"name": name, "kind": kind} for name, kind in changes.items() if kind is not None
    ]
    return parse_entity_type(data)


def test_dropping_a_property_another_types_rollup_reads_is_refused_naming_it() -> None:
    with pytest.raises(IncompatibleChange) as caught:
        guarded().alter_entity_type(order_line(quantity=None), populated=False, actor="t", at=AT)
    assert caught.value.message.startswith("computed property Order.items uses it")
    assert "OrderLine has no property 'quantity'" in caught.value.message
    assert caught.value.path == ("Order", "items", "property")


def test_a_change_that_breaks_the_types_own_formula_is_that_formulas_error() -> None:
    without_items = {**COMPUTED, "Order": {"value": COMPUTED["Order"]["value"]}}
    plain = registry()
    own = Registry.from_definitions(
        plain.version,
        list(plain.entity_types.values()),
        list(plain.relation_types.values()),
        validators=[computed_validator(lambda current: without_items)],
    )
    with pytest.raises(FormulaProblem) as caught:
        own.alter_entity_type(order_line(quantity="STRING"), populated=False, actor="t", at=AT)
    assert "`quantity` is STRING; `*` needs numbers (character 13)" in caught.value.message
    # re-rooted at the definition being altered (its type's name dropped)
    assert caught.value.path == ("lineTotal",)


def test_dropping_the_relation_a_rollup_follows_is_refused_naming_the_rollup() -> None:
    with pytest.raises(IncompatibleChange) as caught:
        guarded().drop_relation_type("HAS_LINE", populated=False, actor="t", at=AT)
    # the first broken one, in a stable order (both of Order's rollups follow HAS_LINE)
    assert caught.value.message.startswith("computed property Order.items uses it")
    assert "there is no relation type 'HAS_LINE'" in caught.value.message
    assert caught.value.path == ("Order", "items", "path", 0)


def test_changes_that_break_nothing_pass() -> None:
    changed, _, _ = guarded().alter_entity_type(
        order_line(note="STRING"), populated=False, actor="t", at=AT
    )
    changed, _ = changed.define_relation_type(
        RelationType(name="REPLACES", from_type="OrderLine", to_type="OrderLine"),
        actor="t",
        at=AT,
    )
    assert "REPLACES" in changed.relation_types


def test_a_problem_in_the_type_being_defined_is_its_own_error() -> None:
    validator = computed_validator(
        lambda current: (
            {"Part": {"total": ("weight * 2", ("properties", 1, "computed"))}}
            if "Part" in current.entity_types
            else {}
        )
    )
    with pytest.raises(FormulaProblem, match="Part has no property `weight`") as caught:
        Registry(validators=[validator]).define_entity_type(
            parse_entity_type({"name": "Part"}), actor="t", at=AT
        )
    assert not isinstance(caught.value, IncompatibleChange)
