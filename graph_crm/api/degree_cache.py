"""Each store's degree statistics, for the cost estimate: read at most every
:data:`TTL_SECONDS`, and again when the registry version moves, so pricing a request
is no round trip to the store (one request in a while pays one scan of the relations).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from weakref import WeakKeyDictionary

from graph_crm.model.degree_stats import DegreeStats
from graph_crm.store.base import GraphStore

TTL_SECONDS: Final = 30.0


@dataclass(frozen=True, slots=True)
class _Entry:
    version: int
    at: float
    stats: DegreeStats


class DegreeCache:
    def __init__(
        self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: WeakKeyDictionary[GraphStore, _Entry] = WeakKeyDictionary()
        self._locks: WeakKeyDictionary[GraphStore, asyncio.Lock] = WeakKeyDictionary()

    async def get(self, store: GraphStore, registry_version: int) -> DegreeStats:
        """The statistics of ``store``, fresh enough for ``registry_version``."""
        entry = self._entries.get(store)
        if self._fresh(entry, registry_version):
            assert entry is not None
            return entry.stats
        lock = self._locks.setdefault(store, asyncio.Lock())
        async with lock:  # one read at a time per store; the others wait and reuse it
            entry = self._entries.get(store)
            if self._fresh(entry, registry_version):
                assert entry is not None
                return entry.stats
            stats = await store.degree_stats()
            self._entries[store] = _Entry(registry_version, self._clock(), stats)
            return stats

    def _fresh(self, entry: _Entry | None, version: int) -> bool:
        return (
            entry is not None and entry.version == version and self._clock() - entry.at < self.ttl
        )


#: The one cache of the process (stores are its keys).
DEGREE_STATS: Final = DegreeCache()
