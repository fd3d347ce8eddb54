"""A read that is slow on any backend however clever the store gets: 40,000 notes of 2 KB,
filtered by 150 `contains` that match nothing, so every note's text is scanned 150 times
(seconds of work, not a pathological plan). For tests of budgets, cancellation, shutdown
and of what other callers see meanwhile."""

from __future__ import annotations

import json
import random
from typing import Any, Final

from graph_crm.store.base import GraphStore

NOTE: Final[dict[str, Any]] = {
    "name": "Note",
    "properties": [{"name": "text", "kind": "STRING"}],
}
ROWS: Final = 40_000
SLOW_WHERE: Final[dict[str, Any]] = {
    "or": [{"text": {"contains": f"zz{index}q"}} for index in range(150)]
}
SLOW_QUERY: Final = (
    'query Slow($where: JSON) { entities(type: "Note", first: 1, where: $where) { totalCount } }'
)


def slow_request() -> bytes:
    """The JSON body of the slow read."""
    return json.dumps({"query": SLOW_QUERY, "variables": {"where": SLOW_WHERE}}).encode()


async def load_notes(store: GraphStore) -> None:
    await store.define_entity_type(NOTE)
    filler = "".join(random.Random(1).choice("abcdefgh ") for _ in range(2_000))
    for start in range(0, ROWS, 10_000):
        await store.upsert_entities(
            "Note",
            [
                {"key": f"N{i:06d}", "text": f"{filler[i % 50 :]}{i}"}
                for i in range(start, start + 10_000)
            ],
        )
