"""The installed strawberry still works the way api/strawberry_schema.py assumes.

That module reads and replaces strawberry's private ``Schema._schema`` and sets
``GraphQLSchema._strawberry_schema``, and the operation chooser reads
``ExecutionContext.operation_name`` before parsing. Validation is graph-crm's
(api/schema_validation.py): errors set during ``on_validate`` stand for strawberry's
own validation, and ``validate`` answers what strawberry's would. If a strawberry
upgrade changes any of this, these tests fail, not the typed schema in production.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import (
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    parse,
    specified_rules,
)
from strawberry.extensions import SchemaExtension, ValidationCache

from graph_crm.api.strawberry_schema import graphql_schema, serving, validate

#: What the probes below saw while a request ran.
seen: dict[str, Any] = {}


class Probe(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        seen["operation_name"] = self.execution_context.operation_name
        yield

    def on_execute(self) -> Iterator[None]:
        seen["executed_on"] = graphql_schema(self.execution_context.schema)
        yield


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, info: strawberry.Info) -> str:
        seen["info_schema"] = info.schema
        return "hello"


def probed_schema() -> strawberry.Schema:
    seen.clear()
    return strawberry.Schema(query=Query, extensions=[Probe])


def with_extra_field(schema: strawberry.Schema) -> GraphQLSchema:
    """``schema``'s graphql-core schema with one more root field, as typed/build.py does."""
    core = graphql_schema(schema)
    assert core.query_type is not None
    root = core.query_type
    return GraphQLSchema(
        query=GraphQLObjectType(
            root.name,
            lambda: {
                **root.fields,
                "extra": GraphQLField(GraphQLString, resolve=lambda *_: "extra"),
            },
        ),
        directives=core.directives,
    )


def test_a_strawberry_schema_holds_the_graphql_core_schema_it_executes_on() -> None:
    schema = probed_schema()
    core = graphql_schema(schema)
    assert isinstance(core, GraphQLSchema)
    assert core.query_type is not None
    assert "hello" in core.query_type.fields
    # strawberry's own way back from graphql-core's schema (resolvers' info.schema)
    assert getattr(core, "_strawberry_schema", None) is schema


async def test_a_served_copy_executes_on_the_schema_it_was_given() -> None:
    schema = probed_schema()
    served = with_extra_field(schema)
    copy = serving(schema, served)

    result = await copy.execute("{ hello extra }")

    assert result.errors is None
    assert result.data == {"hello": "hello", "extra": "extra"}
    assert seen["executed_on"] is served  # the extensions see the served schema
    assert seen["info_schema"] is copy  # strawberry's resolvers find the copy


async def test_the_schema_a_copy_was_made_from_still_serves_its_own_fields_only() -> None:
    schema = probed_schema()
    serving(schema, with_extra_field(schema))

    result = await schema.execute("{ extra }")

    assert result.errors is not None
    assert "Cannot query field 'extra'" in result.errors[0].message
    root = graphql_schema(schema).query_type
    assert root is not None
    assert "extra" not in root.fields


async def test_before_parsing_the_operation_name_is_the_one_the_caller_gave() -> None:
    schema = probed_schema()
    both = "query A { hello } query B { hello }"

    named = await schema.execute(both, operation_name="B")
    assert named.errors is None
    assert seen["operation_name"] == "B"

    await schema.execute("query A { hello }")
    assert seen["operation_name"] is None  # not yet read from the document


class Answered(SchemaExtension):
    """Sets the validation errors itself, as api/schema_validation.py does."""

    errors: list[GraphQLError] = []

    def on_validate(self) -> Iterator[None]:
        self.execution_context.pre_execution_errors = list(Answered.errors)
        yield


async def test_errors_an_extension_sets_while_validating_replace_strawberrys_validation() -> None:
    schema = strawberry.Schema(query=Query, extensions=[Answered])

    Answered.errors = []
    unvalidated = await schema.execute("{ hello nope }")  # invalid, yet not refused
    assert unvalidated.errors is None
    assert unvalidated.data == {"hello": "hello"}

    Answered.errors = [GraphQLError("refused by the extension")]
    refused = await schema.execute("{ hello }")
    assert refused.data is None
    assert refused.errors is not None
    assert [error.message for error in refused.errors] == ["refused by the extension"]


@strawberry.input(one_of=True)
class Pick:
    a: str | None = strawberry.UNSET
    b: str | None = strawberry.UNSET


@strawberry.type
class PickQuery:
    @strawberry.field
    def pick(self, by: Pick) -> str:
        return "picked"


async def test_validate_answers_what_strawberrys_own_validation_does() -> None:
    schema = strawberry.Schema(query=PickQuery)
    for query in ['{ pick(by: {a: "x", b: "y"}) }', "{ nope }", '{ pick(by: {a: "x"}) }']:
        own = await schema.execute(query)
        ours = validate(schema, parse(query), tuple(specified_rules))
        assert [error.message for error in ours] == [e.message for e in own.errors or []]
    # strawberry adds its oneOf rule to the ones it is given
    assert validate(schema, parse('{ pick(by: {a: "x", b: "y"}) }'), ())


async def test_strawberrys_validation_cache_keeps_every_schema_it_validated_for() -> None:
    # Why graph-crm does not use it (issue 15): its LRU is process-wide and keyed by the
    # graphql-core schema, so a superseded schema stays alive. If this starts failing,
    # strawberry has changed that, and api/schema_validation.py may be reconsidered.
    schema = strawberry.Schema(query=Query, extensions=[lambda: ValidationCache(maxsize=3)])
    await schema.execute("{ hello }")
    held = weakref.ref(graphql_schema(schema))
    del schema
    gc.collect()
    assert held() is not None
