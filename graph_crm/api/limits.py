"""Bounds on what one request may ask: body size, query size, depth, aliases and cost.

A rejected request gets a clear error before any resolver runs; per-role limits come
with authentication.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.extensions.base_extension import SchemaExtension

from graph_crm.api.cost import MAX_COST, QueryCostLimiter
from graph_crm.errors import LimitExceeded

#: Largest request body served (a 10,000-row upsert of typical records fits easily).
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
#: Tokens in one GraphQL document: stops 10,000-deep nesting before it is parsed deep.
MAX_TOKENS: Final = 5_000
#: Selection depth; core queries need 5, generated nested relation queries go deeper.
MAX_DEPTH: Final = 16
MAX_ALIASES: Final = 30
#: Items in one page, and in one relation list per parent.
MAX_FIRST: Final = 500


def check_first(first: int, most: int = MAX_FIRST) -> int:
    """``first`` if a list may return that many items (at most ``most``, the caller's
    role's page size), else a LIMIT_EXCEEDED error."""
    if not 0 <= first <= most:
        raise LimitExceeded(f"first must be between 0 and {most}", path=("first",))
    return first


#: The depth and alias rules, made once: validation is cached per (schema, document,
#: rules), and the limiter extensions would make new rule classes for every request.
_VALIDATION_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


def limit_extensions() -> list[Callable[[], SchemaExtension]]:
    """Factories (strawberry makes one extension per request from each)."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(_VALIDATION_RULES),
        lambda: QueryCostLimiter(max_cost=MAX_COST),
    ]
