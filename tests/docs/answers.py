"""What makes a documented query's answer worth showing: something in it."""

from __future__ import annotations

from typing import Any

from graph_crm.services.demo import DEMO_SEED, load_policies
from graph_crm.services.seed import apply_seed, read_seed
from graph_crm.store.base import GraphStore


async def load_demo(store: GraphStore) -> None:
    """The demo's data and policy, as `graph-crm demo` loads them (author ``demo``)."""
    await apply_seed(store, read_seed(DEMO_SEED), actor="demo")
    await load_policies(store)


def gaps(data: dict[str, Any]) -> list[str]:
    """Why ``data`` (a GraphQL answer) is not a real answer: a top-level field that is
    null, an ``Error`` result anywhere, a list that is empty wherever it occurs.

    >>> gaps({"customer": None, "page": {"edges": []}})
    ['customer is null', 'page.edges is empty wherever it occurs']
    >>> gaps({"a": [{"b": []}, {"b": [1]}]})
    []
    """
    found = [f"{field} is null" for field, value in data.items() if value is None]
    filled: dict[str, bool] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            if value.get("__typename") == "Error":
                found.append(f"{path} is an Error: {value}")
            for field, inner in value.items():
                walk(inner, f"{path}.{field}" if path else field)
        elif isinstance(value, list):
            filled[path] = filled.get(path, False) or bool(value)
            for item in value:
                walk(item, path)

    walk(data, "")
    return found + [
        f"{path} is empty wherever it occurs" for path, full in filled.items() if not full
    ]
