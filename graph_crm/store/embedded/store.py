"""The embedded store: SQLite (WAL) holds the truth, a networkx mirror serves traversal
(see :mod:`.core`). It is the one :class:`~graph_crm.store.facade.Store` over an
:class:`~graph_crm.store.embedded.session.EmbeddedSession`.
"""

from __future__ import annotations

from pathlib import Path

from graph_crm.store.embedded.session import EmbeddedSession
from graph_crm.store.facade import Store


class EmbeddedStore(Store[EmbeddedSession]):
    backend = "embedded"

    @classmethod
    async def open(cls, path: str | Path) -> EmbeddedStore:
        session = EmbeddedSession(path)
        try:
            await session._call(session._open)
        except BaseException:
            await session.close()
            raise
        return cls(session)

    @property
    def path(self) -> str:
        """The database file (``:memory:`` for a private in-memory one)."""
        return self.session.path
