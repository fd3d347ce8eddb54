"""A bound on the work one operation may cause, checked before it runs: the objects it
may return plus the relations it may expand.

The objects are read from the schema that executes the request (its typed fields are
generated at runtime), never from field names: a field's fan-out is its ``first`` or
``limit`` argument, else 1 for a single object, else :data:`LIST_DEFAULT_FANOUT` for an
unbounded list. Introspection is priced as its share of what GraphiQL's whole
introspection query costs (:data:`INTROSPECTION_COST`), its lists fanning out by what
the served schema holds (:mod:`.cost_walk`, :mod:`.introspection_cost`). The relations
are what traversals, relation filters and neighbour pages (``Entity.neighbors``)
expand, priced from the store's degree statistics (:mod:`.field_work`,
:mod:`.work_price`); each field in the document is priced once however many list
items hold it, as its store call serves them all.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple
from weakref import WeakKeyDictionary

from graphql import DocumentNode, GraphQLError, GraphQLSchema, get_operation_ast
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension

from graph_crm.api.cost_walk import (
    BOUND_ARGUMENTS,
    INTROSPECTION_COST,
    LIST_DEFAULT_FANOUT,
    Walk,
)
from graph_crm.api.degree_cache import DEGREE_STATS
from graph_crm.api.strawberry_schema import graphql_schema
from graph_crm.api.work_price import WorkPrices
from graph_crm.errors import GraphCrmError
from graph_crm.store.budget import current_budget

if TYPE_CHECKING:
    from graph_crm.api.role_limits import RoleLimits

__all__ = [
    "BOUND_ARGUMENTS",
    "INTROSPECTION_COST",
    "LIST_DEFAULT_FANOUT",
    "MAX_COST",
    "TOO_COSTLY",
    "Estimate",
    "QueryCostLimiter",
    "estimate",
    "estimate_cost",
]

#: Most work (objects returned + relations expanded) one operation may be estimated at.
MAX_COST: Final = 1_000_000
TOO_COSTLY: Final = "QUERY_TOO_COSTLY"


class Estimate(NamedTuple):
    #: Objects (fields, list items included) the operation can return.
    objects: int
    #: Relations its traversals and relation filters can expand.
    relations: int
    #: It holds fields whose relations have a price (counted only when prices are given).
    priced: bool = False

    @property
    def total(self) -> int:
        return self.objects + self.relations


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
    prices: WorkPrices | None = None,
) -> int:
    """The operation's estimated work: :func:`estimate` in one number.

    >>> from graphql import build_schema, parse
    >>> schema = build_schema('''
    ...   type Query { people(first: Int = 10): [Person!]! }
    ...   type Person { name: String! friends: [Person!]! }
    ... ''')
    >>> estimate_cost(schema, parse('{ people { name } }'))
    11
    >>> estimate_cost(schema, parse('{ people(first: 2) { friends { name } } }'))
    203
    """
    return estimate(schema, document, operation_name, variables, prices).total


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
    prices: WorkPrices | None = None,
) -> Estimate:
    """How many objects the operation can return, and how many relations it can expand
    (with ``prices``; without, none are counted).

    objects(selections) = sum over fields of 1 + fanout(field) * objects(field's
    selections). A bounded field that returns one object (a connection, a traversal)
    bounds the lists directly inside it: those inherit its fan-out instead of adding
    their own. A document that names no single operation costs nothing (it will not
    execute).
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return Estimate(0, 0)  # will not execute
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {})
    )
    root = schema.get_root_type(operation.operation)
    if root is None:
        return Estimate(0, 0)
    walk = Walk(schema, document, None if isinstance(coerced, list) else coerced, prices)
    objects = walk.selections(operation.selection_set, root, in_page=False)
    return Estimate(round(objects), walk.relations, walk.priced)


def too_costly(estimate: Estimate, limit: int) -> GraphQLError:
    return GraphQLError(
        f"this operation could return an estimated {estimate.objects:,} objects and expand "
        f"{estimate.relations:,} relations, {estimate.total:,} in all, more than the limit of "
        f"{limit:,}: ask for fewer items with `first`/`limit` on nested lists, fewer hops "
        "or narrower filters, or fewer aliases",
        extensions={
            "code": TOO_COSTLY,
            "cost": estimate.total,
            "maxCost": limit,
            "objects": estimate.objects,
            "relations": estimate.relations,
        },
    )


class QueryCostLimiter(SchemaExtension):
    """Refuse, before any resolver runs, an operation estimated above ``max_cost``."""

    def __init__(self, *, max_cost: int = MAX_COST) -> None:
        self.max_cost = max_cost

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            refused = await cost_refusal(
                graphql_schema(context.schema),
                document,
                context.operation_name,
                context.variables,
                context.context,
                self.max_cost,
            )
            if refused is not None:
                # A result set here is returned as is: strawberry does not execute.
                context.result = GraphQLExecutionResult(data=None, errors=[refused])
        yield


async def cost_refusal(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    api_context: Any,
    max_cost: int = MAX_COST,
) -> GraphQLError | None:
    """QUERY_TOO_COSTLY if the operation is estimated above ``max_cost`` or the caller's
    role's cost (``api_context.limits``); else None. A subscription, which strawberry
    runs without looking at an extension's result, is checked with this directly
    (:mod:`graph_crm.api.graphql_socket`)."""
    # the caller's role may allow less than the global bounds (api/role_limits.py)
    limits: RoleLimits | None = getattr(api_context, "limits", None)
    max_cost = max_cost if limits is None else min(max_cost, limits.cost)
    # Depth, aliases and expanded size were checked where the operation was chosen
    # (api/operation.py), in linear time; here only the cost is left.
    priced_before = _priced_documents(schema)
    if id(document) in priced_before:
        # priced before: straight to the estimate with prices (one walk, not two). Only
        # ever True is remembered, so a query priced only under some variables is still
        # walked twice when the first walk finds nothing to price
        found = Estimate(0, 0, priced=True)
    else:
        found = estimate(schema, document, operation_name, variables)
    if found.priced and found.total <= max_cost:
        # only an operation that traverses or filters by relations costs a look at the
        # degree statistics (cached: rarely a round trip)
        prices = await work_prices(api_context, limits)
        if prices is not None:
            priced_before[id(document)] = document
            found = estimate(schema, document, operation_name, variables, prices)
    return too_costly(found, max_cost) if found.total > max_cost else None


async def work_prices(api_context: Any, limits: RoleLimits | None) -> WorkPrices | None:
    """Prices from the request's store (its cached degree statistics) and registry; None
    outside a request or when the store cannot say (then nothing runs anyway)."""
    store = getattr(api_context, "store", None)
    registry = getattr(api_context, "registry", None)
    if store is None or registry is None:
        return None
    try:
        stats = await DEGREE_STATS.get(store, registry.version)
    except GraphCrmError:
        return None
    return WorkPrices(
        stats,
        registry,
        edge_budget=current_budget().edges,
        max_depth=None if limits is None else limits.traversal_depth,
    )


#: Per schema, the documents found to hold priced fields (by identity: the operation
#: chooser hands out one object per text and name; an entry holds its document).
_PRICED: WeakKeyDictionary[GraphQLSchema, OrderedDict[int, DocumentNode]] = WeakKeyDictionary()
_PRICED_KEPT = 256


def _priced_documents(schema: GraphQLSchema) -> OrderedDict[int, DocumentNode]:
    found = _PRICED.get(schema)
    if found is None:
        found = _PRICED[schema] = OrderedDict()
    while len(found) > _PRICED_KEPT:
        found.popitem(last=False)
    return found
