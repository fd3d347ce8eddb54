"""Errors as GraphQL sees them: expected ones are data, unexpected ones say nothing.

Mutations return ``<Payload> | Error``; queries raise, and :class:`ErrorShaping` turns a
:class:`~graph_crm.errors.GraphCrmError` into a GraphQL error whose extensions carry the
code, the input path and the issues. Anything else is logged and masked.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Final, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph_crm.errors import GraphCrmError
from graph_crm.errors import Issue as ModelIssue

logger = logging.getLogger("graph_crm.api")

INTERNAL_CODE: Final = "INTERNAL"
INTERNAL_MESSAGE: Final = "Unexpected error; it has been logged."


@strawberry.type(description="One problem in an input: what, and where.")
class Issue:
    code: str
    message: str
    path: list[str] = strawberry.field(description="Input path; row indexes as text.")

    @classmethod
    def from_model(cls, issue: ModelIssue) -> Issue:
        return cls(code=issue.code, message=issue.message, path=[str(p) for p in issue.path])


@strawberry.type(description="Why a mutation failed; nothing was written.")
class Error:
    code: str
    message: str
    path: list[str]
    issues: list[Issue]

    @classmethod
    def from_exception(cls, error: GraphCrmError) -> Error:
        return cls(
            code=error.code,
            message=error.message,
            path=[str(p) for p in error.path],
            issues=[Issue.from_model(issue) for issue in error.issues],
        )

    @classmethod
    def internal(cls) -> Error:
        return cls(code=INTERNAL_CODE, message=INTERNAL_MESSAGE, path=[], issues=[])


T = TypeVar("T")


async def as_result(action: Callable[[], Awaitable[T]]) -> T | Error:
    """Run a mutation: its payload, or an :class:`Error` (logged if unexpected)."""
    try:
        return await action()
    except GraphCrmError as error:
        return Error.from_exception(error)
    except Exception:
        logger.exception("unexpected error in a mutation")
        return Error.internal()


def error_extensions(error: GraphCrmError) -> dict[str, Any]:
    data = error.to_dict()
    return {"code": data["code"], "inputPath": data["path"], "issues": data["issues"]}


def shape_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or not error.path:
        # A syntax, validation or variable error, before execution: graphql-core's message.
        return error
    if isinstance(original, GraphCrmError):
        message, extensions = original.message, error_extensions(original)
    else:
        message, extensions = INTERNAL_MESSAGE, {"code": INTERNAL_CODE}
    return GraphQLError(
        message, nodes=error.nodes, path=error.path, original_error=None, extensions=extensions
    )


def log_unexpected(errors: list[GraphQLError]) -> None:
    for error in errors:
        original = error.original_error
        if error.path and original is not None and not isinstance(original, GraphCrmError):
            logger.error("unexpected error in a query", exc_info=original)


class ErrorShaping(SchemaExtension):
    """Replace every resolver error with its client-safe form."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [shape_error(error) for error in result.errors]
