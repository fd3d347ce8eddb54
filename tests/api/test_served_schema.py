"""``graph-crm export-schema --served`` prints the schema the API serves for the store's
registry: the same SDL the server's introspection describes, generated types included."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from graphql import (
    build_ast_schema,
    build_client_schema,
    get_introspection_query,
    lexicographic_sort_schema,
    parse,
    print_schema,
)

from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.api.graphql import data
from tests.cli_process import run
from tests.contract.crm import CUSTOMER
from tests.neo4j_env import Neo4jTarget

COMMITTED = Path(__file__).resolve().parents[2] / "schema.graphql"


def _store_arguments(store: GraphStore, request: pytest.FixtureRequest) -> list[str]:
    if isinstance(store, EmbeddedStore):
        return ["--db", str(store.path)]
    target: Neo4jTarget = request.getfixturevalue("neo4j_target")
    return ["--backend", "neo4j", "--neo4j-uri", target.uri, "--neo4j-database", target.database]


def _normal(sdl: str) -> str:
    return print_schema(lexicographic_sort_schema(build_ast_schema(parse(sdl))))


async def test_the_served_schema_is_what_introspection_describes(
    client: httpx.AsyncClient, store: GraphStore, request: pytest.FixtureRequest
) -> None:
    where = _store_arguments(store, request)
    empty = run("export-schema", "--served", *where)
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout == COMMITTED.read_text(encoding="utf-8")  # no types: the core

    await store.define_entity_type(CUSTOMER)
    await store.define_relation_type({"name": "PARENT_OF", "from": "Customer", "to": "Customer"})
    printed = run("export-schema", "--served", *where)
    assert printed.returncode == 0, printed.stderr
    assert re.search(r"^type Customer\b", printed.stdout, re.MULTILINE)
    assert "upsertCustomers(" in printed.stdout
    assert "parentOf" in printed.stdout

    introspected = await data(
        client, get_introspection_query(descriptions=True, specified_by_url=True)
    )
    served = print_schema(lexicographic_sort_schema(build_client_schema(introspected)))  # type: ignore[arg-type]
    assert _normal(printed.stdout) == served
    assert run("export-schema", *where).stdout == empty.stdout  # without --served: the core
