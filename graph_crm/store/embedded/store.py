"""The embedded store: SQLite (WAL) holds the truth, a networkx mirror serves traversal
(see :mod:`.database`). It is the one :class:`~graph_crm.store.facade.Store` over an
:class:`~graph_crm.store.embedded.session.EmbeddedSession`.
"""

from __future__ import annotations

from pathlib import Path

from graph_crm.store.embedded.session import EmbeddedSession
from graph_crm.store.facade import Store
from graph_crm.store.logs import SLOW_STATEMENT_MS


class EmbeddedStore(Store[EmbeddedSession]):
    backend = "embedded"

    @classmethod
    async def open(
        cls, path: str | Path, *, slow_statement_ms: float = SLOW_STATEMENT_MS
    ) -> EmbeddedStore:
        session = EmbeddedSession(path, slow_statement_ms=slow_statement_ms)
        try:
            await session.open()
        except BaseException:
            await session.close()
            raise
        return cls(session)

    @property
    def path(self) -> str:
        """The database file (``:memory:`` for a private in-memory one)."""
        return self.session.path
