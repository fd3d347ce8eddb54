"""The live schema: rebuilt when the registry version moves, swapped atomically.

Each request asks the store for the registry (a version check; it lives in the
store, so every worker process notices a change made by another) and executes on
the schema built for that version. A request keeps the schema it started with, so
requests already running finish on the old one.

A build (95-250 ms for 100 types) runs in a worker thread, never on the event loop:
requests that already hold their schema, and any whose version is built, go on
meanwhile. Requests that need a version being built wait for that one build (one per
version at a time). Building is thread-safe: it makes new graphql-core objects and only
reads the core schema's, all resolved when the core was built.

Nothing here keeps a superseded schema alive: the newest is held, others only weakly
(reused while some request still runs on them), so an old schema and what it cached
(:mod:`graph_crm.api.schema_validation`) are freed once its last request ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from weakref import WeakValueDictionary

from graph_crm.api.schema import CoreSchema, core_schema, sdl
from graph_crm.api.typed.build import build_schema
from graph_crm.model.registry import Registry

logger = logging.getLogger("graph_crm.api")

Build = Callable[[CoreSchema, Registry], CoreSchema]


class LiveSchema:
    def __init__(
        self,
        core: CoreSchema,
        on_build: Callable[[float], None] | None = None,
        build: Build = build_schema,
    ) -> None:
        self.core = core
        #: Told the seconds each build took (/metrics).
        self._on_build = on_build
        self._build = build
        self._version = -1
        self._schema = core
        #: Each version's schema while anyone holds it (the newest: self._schema does).
        self._held: WeakValueDictionary[int, CoreSchema] = WeakValueDictionary()
        #: The one build of each version under way, shared by whoever needs it.
        self._building: dict[int, asyncio.Task[CoreSchema]] = {}
        self.builds = 0

    @property
    def current(self) -> CoreSchema:
        """The schema of the newest registry version served so far."""
        return self._schema

    async def for_registry(self, registry: Registry) -> CoreSchema:
        """The schema serving ``registry``: at once if it is built, else after its build."""
        if registry.version == self._version:
            return self._schema
        held = self._held.get(registry.version)
        if held is not None:
            return held
        building = self._building.get(registry.version)
        if building is None:
            building = asyncio.ensure_future(self._built(registry))
            self._building[registry.version] = building
        # Shielded: a request that gives up (its client left) leaves the build to others.
        return await asyncio.shield(building)

    async def _built(self, registry: Registry) -> CoreSchema:
        try:
            started = time.perf_counter()
            schema = await asyncio.to_thread(self._build, self.core, registry)
            self.builds += 1
            if self._on_build is not None:
                self._on_build(time.perf_counter() - started)
            self._held[registry.version] = schema
            if registry.version > self._version:
                # One assignment, on the loop: no request sees half a swap.
                self._version, self._schema = registry.version, schema
                logger.info("serving schema for registry version %d", registry.version)
            return schema
        finally:
            del self._building[registry.version]


def served_sdl(registry: Registry) -> str:
    """The SDL the API serves for ``registry``: the core schema and the types generated
    for its definitions (``graph-crm export-schema --served``)."""
    return sdl(build_schema(core_schema(), registry))
