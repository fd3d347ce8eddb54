"""Store calls counted: what a request costs the store (the real store answers)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from graph_crm.store.base import GraphStore


class CountingStore:
    """Counts the store calls a request makes (the real store answers them)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attribute(*args, **kwargs)

        return counted
