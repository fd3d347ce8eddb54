"""The live schema: rebuilt when the registry version moves, swapped atomically.

Each request asks the store for the registry (a version check; it lives in the
store, so every worker process notices a change made by another) and executes on
the schema built for that version. A request keeps the schema it started with, so
requests already running finish on the old one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from graph_crm.api.schema import CoreSchema, core_schema, sdl
from graph_crm.api.typed.build import build_schema
from graph_crm.model.registry import Registry

logger = logging.getLogger("graph_crm.api")


class LiveSchema:
    def __init__(self, core: CoreSchema, on_build: Callable[[float], None] | None = None) -> None:
        self.core = core
        #: Told the seconds each build took (/metrics).
        self._on_build = on_build
        self._version = -1
        self._schema = core
        self.builds = 0

    def for_registry(self, registry: Registry) -> CoreSchema:
        """The schema serving ``registry`` (built once per version; never awaits)."""
        if registry.version == self._version:
            return self._schema
        started = time.perf_counter()
        schema = build_schema(self.core, registry)
        self.builds += 1
        if self._on_build is not None:
            self._on_build(time.perf_counter() - started)
        if registry.version > self._version:
            # One assignment: the event loop cannot interleave another request here.
            self._version, self._schema = registry.version, schema
            logger.info("serving schema for registry version %d", registry.version)
        return schema


def served_sdl(registry: Registry) -> str:
    """The SDL the API serves for ``registry``: the core schema and the types generated
    for its definitions (``graph-crm export-schema --served``)."""
    return sdl(build_schema(core_schema(), registry))
