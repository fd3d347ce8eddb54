"""A registry's computed properties are typed together: what one reads is typed first,
and a circle of them is refused, named in full."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.model.formula import Formula, FormulaProblem, Rollup, check_computed, find_cycle
from tests.model.formula_cases import K, registry

REGISTRY = registry()


def at(index: int) -> tuple[str | int, ...]:
    return ("properties", index, "computed")


def test_an_orders_value_sums_its_lines_formula() -> None:
    checked = check_computed(
        REGISTRY,
        {
            "Order": {
                "value": ({"rollup": "sum", "path": ["HAS_LINE"], "property": "lineTotal"}, at(0)),
                "size": ("if(value > 100, 'large', 'small')", at(1)),
            },
            "OrderLine": {
                "lineTotal": ("unitPrice * quantity * (1 - coalesce(discount, 0))", at(0)),
            },
        },
    )
    order_value = checked["Order", "value"]
    assert isinstance(order_value, Rollup)
    assert order_value.kind is K.FLOAT
    assert checked["Order", "size"].kind is K.STRING
    assert isinstance(checked["OrderLine", "lineTotal"], Formula)
    assert checked["OrderLine", "lineTotal"].kind is K.FLOAT


def test_a_formula_over_a_later_formula_is_typed_after_it() -> None:
    checked = check_computed(
        REGISTRY,
        {"OrderLine": {"a": ("b * 2", at(0)), "b": ("quantity + 1", at(1)), "c": ("a / b", at(2))}},
    )
    assert [checked["OrderLine", name].kind for name in "abc"] == [K.INT, K.INT, K.FLOAT]


def test_a_type_error_in_one_carries_its_path() -> None:
    with pytest.raises(FormulaProblem) as caught:
        check_computed(
            REGISTRY, {"OrderLine": {"a": ("quantity + 1", at(0)), "b": ("a || sku", at(5))}}
        )
    assert caught.value.path == at(5)
    assert "`a` is INT; `||` needs strings" in caught.value.message


@pytest.mark.parametrize(
    ("definitions", "message"),
    [
        ({"OrderLine": {"a": ("a + 1", at(0))}}, "a → a"),
        ({"OrderLine": {"a": ("b + 1", at(0)), "b": ("a * 2", at(1))}}, "a → b → a"),
        (
            {"OrderLine": {"a": ("b", at(0)), "b": ("c", at(1)), "c": ("quantity + a", at(2))}},
            "a → b → c → a",
        ),
        (
            {
                "Order": {
                    "value": ({"rollup": "sum", "path": ["HAS_LINE"], "property": "share"}, at(0))
                },
                "OrderLine": {
                    "share": (
                        {
                            "rollup": "max",
                            "path": [{"relation": "HAS_LINE", "direction": "IN"}],
                            "property": "value",
                        },
                        at(1),
                    )
                },
            },
            "Order.value → OrderLine.share → Order.value",
        ),
    ],
)
def test_circles_are_refused_and_named(definitions: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_computed(REGISTRY, definitions)
    assert (
        caught.value.message == f"computed properties depend on each other in a circle: {message}"
    )
    assert caught.value.path == at(0)


def test_a_long_chain_is_not_a_circle_and_does_not_exhaust_the_stack() -> None:
    chain = {f"p{i}": [f"p{i + 1}"] for i in range(50_000)}
    assert find_cycle(chain) is None
    chain["p50000"] = ["p0"]
    cycle = find_cycle(chain)
    assert cycle is not None
    assert (cycle[0], cycle[-1], len(cycle)) == ("p0", "p0", 50_002)


def test_a_computed_property_is_a_formula_or_a_rollup() -> None:
    with pytest.raises(InvalidInput, match="a formula \\(a string\\) or a rollup"):
        check_computed(REGISTRY, {"OrderLine": {"a": (3, at(0))}})
