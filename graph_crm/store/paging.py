"""Walking a whole list page by page (export), the same way on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from graph_crm.model.graph import Page

T = TypeVar("T")
#: The largest page a store serves, so also the largest batch a walk can take at once.
PAGE_LIMIT = 1_000


async def all_pages(
    fetch: Callable[[int, str | None], Awaitable[Page[T]]], batch_size: int
) -> AsyncIterator[list[T]]:
    """Yield every item of a list in batches; ``fetch(first, after)`` returns one page."""
    after: str | None = None
    while True:
        page = await fetch(min(batch_size, PAGE_LIMIT), after)
        if page.items:
            yield page.items
        if not page.has_next_page:
            return
        after = page.end_cursor
