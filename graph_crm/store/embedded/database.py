"""The embedded store's database: its calls (:mod:`.calls`), the registry each call
sees, the write transaction, and the mirror (:mod:`.mirror_keeper`). Every part of the
embedded backend works through one :class:`EmbeddedDatabase`.

The registry is cached for the process and re-read when ``meta.registry_version``
moves; a call sees the registry of its own snapshot (a thread-local), so a reader never
mixes versions with a writer defining a type at the same time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from graph_crm.model.registry import Registry
from graph_crm.store.embedded.calls import Calls, CallState
from graph_crm.store.embedded.mirror import Mirror
from graph_crm.store.embedded.mirror_keeper import MirrorKeeper
from graph_crm.store.logs import SLOW_STATEMENT_MS
from graph_crm.store.validators import REGISTRY_VALIDATORS

R = TypeVar("R")


class EmbeddedDatabase:
    """One SQLite file as the embedded backend's parts use it."""

    def __init__(self, path: str | Path, *, slow_statement_ms: float = SLOW_STATEMENT_MS) -> None:
        self.path = str(path)
        self.state = CallState()
        self.mirrors = MirrorKeeper(self.state)
        self.calls = Calls(
            self.path, self.state, self.mirrors.release, slow_statement_ms=slow_statement_ms
        )
        self._cached_registry = Registry(validators=REGISTRY_VALIDATORS)

    async def open(self) -> None:
        """Open the writer's connection (creating or migrating the file) and read the
        registry."""
        await self.call(self.refresh)

    async def close(self) -> None:
        await self.calls.close()

    async def call(self, fn: Callable[[], R]) -> R:
        """Run ``fn`` on the writer thread (every write, and what must see its own writes)."""
        return await self.calls.submit(fn, read=False)

    async def read(self, fn: Callable[[], R], *, quick: bool = False) -> R:
        """Run ``fn`` on a reader thread, in one read transaction (one snapshot); ``quick``:
        a small read of a few rows, on the thread that only runs those."""
        return await self.calls.submit(fn, read=True, quick=quick)

    async def ping(self) -> None:
        await self.read(lambda: self.conn.execute("SELECT 1").fetchone(), quick=True)

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection of the call running on this thread."""
        return self.calls.conn

    def runtime_state(self) -> dict[str, float]:
        """See :meth:`graph_crm.store.embedded.session.EmbeddedSession.runtime_state`."""
        return {**self.mirrors.runtime_state(), **self.calls.runtime_state()}

    # -- the registry ------------------------------------------------------------------

    @property
    def registry(self) -> Registry:
        """The registry of the call running on this thread (see :meth:`refresh`)."""
        registry = self.state.registry
        return self._cached_registry if registry is None else registry

    @property
    def known_registry(self) -> Registry:
        """The registry this process last read (any thread), without reading the file."""
        return self._cached_registry

    def use_registry(self, registry: Registry) -> None:
        """Make ``registry`` this call's (a definition it is writing); once the write
        commits it becomes the process's."""
        self.state.registry = registry

    def meta(self) -> dict[str, int]:
        return {
            name: int(value) for name, value in self.conn.execute("SELECT name, value FROM meta")
        }

    def refresh(self) -> Registry:
        """This call's registry: the cached one, or re-read if another writer moved it."""
        return self._refresh_meta()[0]

    def _refresh_meta(self) -> tuple[Registry, int]:
        meta = self.meta()
        version = meta["registry_version"]
        cached = self._cached_registry
        if version == cached.version and version != 0:
            registry = cached
        else:
            registry = self._load_registry(version)
            if registry.version >= cached.version:
                self._cached_registry = registry
        self.state.registry = registry
        return registry, meta["generation"]

    def _load_registry(self, version: int) -> Registry:
        rows = self.conn.execute("SELECT kind, definition FROM type_defs ORDER BY name")
        stored = ((kind, json.loads(text)) for kind, text in rows)
        return Registry.from_stored(version, stored, validators=REGISTRY_VALIDATORS)

    # -- the mirror --------------------------------------------------------------------

    def ensure_mirror(self) -> Mirror:
        """The mirror at this call's snapshot, held for reading until the call ends.

        Call it before reading anything else: the call's snapshot restarts once the
        mirror is held, so SQLite and the mirror show the same generation.
        """

        def snapshot() -> int:
            if self.state.reading:
                self.conn.execute("ROLLBACK")
                self.conn.execute("BEGIN")
            return self._refresh_meta()[1]

        return self.mirrors.ensure(self.calls.current_call(), self.conn, snapshot)

    def after_write(self, update: Callable[[Mirror], None]) -> None:
        """Apply a committed write to the mirror, or drop the mirror if that fails."""
        if self.mirrors.mirror is not None:
            self.mirrors.after_write(self.meta()["generation"], update)

    # -- writes ------------------------------------------------------------------------

    @contextmanager
    def write(self, *, graph: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction; bumps the generation; rolls back on any error.

        ``graph=False`` is for writes that leave entities and relations alone (API keys):
        the generation stays, so no mirror, in this process or another, is rebuilt for them.
        A graph write takes the mirror exclusively before it commits (waiting, within its
        deadline, for the traversals in progress), and keeps it to the end of its call.
        A write whose deadline has passed when it is about to commit is rolled back; once
        it commits it is no longer stopped.
        """
        conn = self.conn
        call = self.calls.current_call()
        deadline = call.deadline
        deadline.check()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self.refresh()
            yield conn
            if graph:
                conn.execute("UPDATE meta SET value = value + 1 WHERE name = 'generation'")
                self.mirrors.hold_exclusively(call)
            deadline.check()
            conn.set_progress_handler(None, 0)
            conn.execute("COMMIT")
            # a definition change committed: its registry is now the process's
            written = self.state.registry
            if written is not None and written.version > self._cached_registry.version:
                self._cached_registry = written
        except BaseException:
            conn.set_progress_handler(None, 0)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
