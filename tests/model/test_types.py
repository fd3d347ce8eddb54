"""Definition errors say where: the path of the offending field."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import GraphCrmError
from graph_crm.model.types import parse_entity_type, parse_relation_type


@pytest.mark.parametrize(
    ("definition", "path"),
    [
        ({"name": "bad"}, ("name",)),
        (
            {
                "name": "Ok",
                "properties": [{"name": "a", "kind": "INT"}, {"name": "B", "kind": "INT"}],
            },
            ("properties", 1, "name"),
        ),
        (
            {"name": "Ok", "properties": [{"name": "a", "kind": "ENUM", "values": ["A", "b c"]}]},
            ("properties", 0, "values", 1),
        ),
        (
            {"name": "Ok", "properties": [{"name": "a", "kind": "ENUM"}]},
            ("properties", 0, "values"),
        ),
        ({"name": "Ok", "properties": [{"name": "a", "kind": "FOO"}]}, ("properties", 0, "kind")),
        (
            {"name": "Ok", "properties": [{"name": "a", "kind": "INT", "default": "x"}]},
            ("properties", 0, "default"),
        ),
        (
            {"name": "Ok", "properties": [{"name": "a", "kind": "JSON", "unique": True}]},
            ("properties", 0, "unique"),
        ),
        (
            {
                "name": "Ok",
                "properties": [{"name": "a", "kind": "INT"}, {"name": "a", "kind": "INT"}],
            },
            ("properties", 1, "name"),
        ),
    ],
)
def test_entity_type_errors_are_located(definition: dict[str, Any], path: tuple[Any, ...]) -> None:
    with pytest.raises(GraphCrmError) as caught:
        parse_entity_type(definition)
    assert caught.value.path == path


def test_relation_type_errors_are_located() -> None:
    with pytest.raises(GraphCrmError) as caught:
        parse_relation_type({"name": "SHIPS_TO", "from": "Shipment", "to": "ware house"})
    assert caught.value.path == ("to",)
    with pytest.raises(GraphCrmError) as caught:
        parse_relation_type(
            {
                "name": "SHIPS_TO",
                "from": "A",
                "to": "B",
                "properties": [{"name": "x", "kind": "STRING", "unique": True}],
            }
        )
    assert caught.value.path == ("properties", 0, "unique")
