"""The committed ``schema.graphql`` is what ``graph-crm export-schema`` prints."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import pytest
from graphql import GraphQLNamedType

from graph_crm.api import core_schema
from graph_crm.api.types import DirectionEnum, PropertyKindEnum
from graph_crm.cli.main import main
from graph_crm.model.graphql_names import (
    CORE_MUTATION_FIELDS,
    CORE_QUERY_FIELDS,
    CORE_SUBSCRIPTION_FIELDS,
    CORE_TYPE_NAMES,
)
from graph_crm.model.names import RESERVED_TYPE_NAMES, RESERVED_TYPE_SUFFIXES
from graph_crm.model.traversal import Direction
from graph_crm.model.types import PropertyKind

COMMITTED = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_sdl_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export-schema"]) == 0
    printed = capsys.readouterr().out
    assert printed == COMMITTED.read_text(encoding="utf-8"), (
        "schema.graphql is stale: run `graph-crm export-schema > schema.graphql`"
    )


@pytest.mark.parametrize(
    ("api_enum", "model_enum"), [(PropertyKindEnum, PropertyKind), (DirectionEnum, Direction)]
)
def test_enums_match_the_model(api_enum: type[Enum], model_enum: type[Enum]) -> None:
    assert [e.value for e in api_enum] == [e.value for e in model_enum]


def test_core_type_names_cannot_be_taken_by_entity_types() -> None:
    type_map: dict[str, GraphQLNamedType] = core_schema()._schema.type_map
    names = {name for name in type_map if not name.startswith("__")}
    free = {
        name
        for name in names
        if name not in RESERVED_TYPE_NAMES and not name.endswith(RESERVED_TYPE_SUFFIXES)
    }
    assert free == set()


def test_the_models_list_of_core_names_matches_the_core_schema() -> None:
    """Collision checks at definition time rely on these lists (model/graphql_names.py)."""
    schema = core_schema()._schema
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    named = {name for name in schema.type_map if not name.startswith("__")}
    assert named == CORE_TYPE_NAMES
    assert set(schema.query_type.fields) == CORE_QUERY_FIELDS
    assert set(schema.mutation_type.fields) == CORE_MUTATION_FIELDS
    assert schema.subscription_type is not None
    assert set(schema.subscription_type.fields) == CORE_SUBSCRIPTION_FIELDS
