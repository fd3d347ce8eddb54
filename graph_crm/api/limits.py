"""Bounds on what one request may ask: body size, query size, depth and aliases.

A rejected request gets a clear error before any resolver runs; per-role limits and
query cost accounting come with authentication.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.extensions.base_extension import SchemaExtension

#: Largest request body served (a 10,000-row upsert of typical records fits easily).
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
#: Tokens in one GraphQL document: stops 10,000-deep nesting before it is parsed deep.
MAX_TOKENS: Final = 5_000
#: Selection depth; the deepest core query (traverse paths' hops) needs 5.
MAX_DEPTH: Final = 12
MAX_ALIASES: Final = 30


def limit_extensions() -> list[Callable[[], SchemaExtension]]:
    """Factories (strawberry makes one extension per request from each)."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
    ]
