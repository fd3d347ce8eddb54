"""Walking a whole list page by page (export), the same way on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from graph_crm.model.graph import Entity, Page, Relation

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


class PagedTransfer:
    """``iter_entities``/``iter_relations`` for a store, from its own list methods."""

    if TYPE_CHECKING:

        async def list_entities(
            self,
            type_name: str,
            *,
            where: Any = None,
            order_by: Any = None,
            first: int = 50,
            after: str | None = None,
        ) -> Page[Entity]: ...

        async def list_relations(
            self, relation_type: str, *, first: int = 50, after: str | None = None
        ) -> Page[Relation]: ...

    def iter_entities(self, type_name: str, batch_size: int = 5_000) -> AsyncIterator[list[Entity]]:
        """Every entity of a type, in batches, ordered by key."""
        return all_pages(
            lambda first, after: self.list_entities(type_name, first=first, after=after),
            batch_size,
        )

    def iter_relations(
        self, relation_type: str, batch_size: int = 5_000
    ) -> AsyncIterator[list[Relation]]:
        """Every relation of a type, in batches, ordered by (from key, to key)."""
        return all_pages(
            lambda first, after: self.list_relations(relation_type, first=first, after=after),
            batch_size,
        )
