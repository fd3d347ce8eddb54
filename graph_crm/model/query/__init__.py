"""Filters, ordering and cursors: parsed and typed here, compiled by each backend.

A filter is given as plain data, the shape the GraphQL ``where`` inputs take::

    {"status": {"eq": "IN_TRANSIT"}, "value": {"gte": 1000}}
    {"or": [{"name": {"startsWith": "上海"}}, {"not": {"tier": {"isNull": true}}}]}
    {"HAS_SUBSIDIARY": {"some": {"country": {"eq": "CN"}}}}
    {"MENTIONS": {"direction": "IN", "none": {}}}

Comparisons on a missing property are unknown (SQL/Cypher three-valued logic), so
``ne`` and ``not`` never match an entity that lacks the property. A relation
quantifier (an UPPER_SNAKE key, see :mod:`.related`) is always true or false.
Ordering puts missing values last when ascending and first when descending, on
every backend.

The parts: :mod:`.filters` (the tree), :mod:`.parsing`, :mod:`.evaluation` (the
reference semantics), :mod:`.related` (relation quantifiers) and :mod:`.ordering`
(orders and keyset cursors); this package exports their public names.
"""

from graph_crm.model.query.evaluation import evaluate
from graph_crm.model.query.filters import (
    OPS_FOR_KIND,
    SYSTEM_FIELDS,
    All,
    AnyOf,
    Compare,
    Filter,
    Not,
    Op,
    Parameter,
    Quantifier,
    Related,
    RelatedCheck,
    field_spec,
)
from graph_crm.model.query.ordering import (
    MAX_ORDER_FIELDS,
    MAX_PAGE_SIZE,
    OrderBy,
    after_filter,
    check_order,
    check_page_size,
    decode_cursor,
    encode_cursor,
    entity_cursor,
)
from graph_crm.model.query.parsing import (
    MAX_FILTER_DEPTH,
    MAX_FILTER_NODES,
    MAX_IN_VALUES,
    check_filter,
)
from graph_crm.model.query.related import evaluate_in_graph, parse_related, quantify

__all__ = [
    "MAX_FILTER_DEPTH",
    "MAX_FILTER_NODES",
    "MAX_IN_VALUES",
    "MAX_ORDER_FIELDS",
    "MAX_PAGE_SIZE",
    "OPS_FOR_KIND",
    "SYSTEM_FIELDS",
    "All",
    "AnyOf",
    "Compare",
    "Filter",
    "Not",
    "Op",
    "OrderBy",
    "Parameter",
    "Quantifier",
    "Related",
    "RelatedCheck",
    "after_filter",
    "check_filter",
    "check_order",
    "check_page_size",
    "decode_cursor",
    "encode_cursor",
    "entity_cursor",
    "evaluate",
    "evaluate_in_graph",
    "field_spec",
    "parse_related",
    "quantify",
]
