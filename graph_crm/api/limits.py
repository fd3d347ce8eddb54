"""Bounds on what one request may ask: body size, query size, depth, aliases and cost.

A rejected request gets a clear error before any resolver runs; per-role limits come
with authentication.
"""

from __future__ import annotations

from typing import Final, Protocol

from graphql import GraphQLError

from graph_crm.errors import LimitExceeded

#: Largest request body served (a 10,000-row upsert of typical records fits easily).
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
#: Tokens in one GraphQL document: stops 10,000-deep nesting before it is parsed deep.
MAX_TOKENS: Final = 5_000
#: Selection depth; core queries need 5, generated nested relation queries go deeper.
MAX_DEPTH: Final = 16
MAX_ALIASES: Final = 30
#: Field selections one operation may hold once its fragment spreads are expanded
#: (GraphiQL's full introspection query expands to a few hundred).
MAX_SELECTIONS: Final = 10_000
#: Comparisons validation may make to check that repeated fields merge (see
#: :attr:`graph_crm.api.operation_shape.Shape.overlap`): ~50 ms of work on this 2-core box.
MAX_OVERLAP: Final = 20_000
#: Items in one page, and in one relation list per parent.
MAX_FIRST: Final = 500


def check_first(first: int, most: int = MAX_FIRST) -> int:
    """``first`` if a list may return that many items (at most ``most``, the caller's
    role's page size), else a LIMIT_EXCEEDED error."""
    if not 0 <= first <= most:
        raise LimitExceeded(f"first must be between 0 and {most}", path=("first",))
    return first


class Measured(Protocol):
    """An operation's size once its fragment spreads are expanded (see
    :class:`graph_crm.api.operation.Operation`)."""

    @property
    def selections(self) -> int: ...
    @property
    def depth(self) -> int: ...
    @property
    def data_depth(self) -> int: ...
    @property
    def overlap(self) -> int: ...
    @property
    def aliases(self) -> int: ...


def check_shape(operation: Measured, max_depth: int = MAX_DEPTH) -> GraphQLError | None:
    """A LIMIT_EXCEEDED error if the chosen operation is too big to look at further.

    Measured in one linear pass (:mod:`graph_crm.api.operation_shape`), so these bounds
    hold before anything walks the document again (validation, cost, execution). The
    cost estimate is checked later, by the schema's extension (:mod:`graph_crm.api.cost`).
    """
    if operation.selections > MAX_SELECTIONS:
        return _limit_error(
            f"this operation expands to {operation.selections:,} field selections once its "
            f"fragment spreads are expanded, more than the limit of {MAX_SELECTIONS:,}",
            selections=operation.selections,
            maxSelections=MAX_SELECTIONS,
        )
    for depth, most in ((operation.depth, MAX_DEPTH), (operation.data_depth, max_depth)):
        if depth > most:
            return _limit_error(
                f"this operation nests {depth} levels deep, more than the depth limit of "
                f"{most}{' for this role' if most < MAX_DEPTH else ''}",
                depth=depth,
                maxDepth=most,
            )
    if operation.overlap > MAX_OVERLAP:
        return _limit_error(
            "this operation selects the same fields over and over in the same places "
            f"(fragments expanded): checking that they merge would take {operation.overlap:,} "
            f"comparisons, more than the limit of {MAX_OVERLAP:,}; select each field once",
            overlap=operation.overlap,
            maxOverlap=MAX_OVERLAP,
        )
    if operation.aliases > MAX_ALIASES:
        return _limit_error(
            f"this operation uses {operation.aliases:,} aliases (fragments expanded), more "
            f"than the alias limit of {MAX_ALIASES}",
            aliases=operation.aliases,
            maxAliases=MAX_ALIASES,
        )
    return None


def _limit_error(message: str, **details: int) -> GraphQLError:
    return GraphQLError(message, extensions={"code": LimitExceeded.code, **details})
