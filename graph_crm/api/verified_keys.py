"""Keys this process has verified, so that a compiled query checks its key in its own
statement: one round trip per typed query instead of two.

A request to ``/graphql`` whose bearer key this process verified the full way before
(:class:`VerifiedKeys`: its id, secret hash and role, which never change) is let in by
:mod:`graph_crm.api.authentication` without reading the store, *unconfirmed*: it carries
a :class:`~graph_crm.store.reads.guard.ReadGuard` with the key and the registry version
this process last read. The endpoint may answer it only with a compiled query read behind
that guard, which the store answers only if, in the same read, the key is still stored
active with that hash and role and the registry is still at that version. Anything else
(a guard that did not hold, a query that does not compile, any refusal, a mutation) is
first :func:`confirm`\\ ed: the key and the registry read the full way, as every request
did before, then served as usual. So the promises of the full check hold: a revoked key
fails on its next request (401, and the key is forgotten here), and a type another
process defined is served from the next request.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Final

from starlette.requests import HTTPConnection
from starlette.responses import Response

from graph_crm.api.principal import keep_registry
from graph_crm.api.refusal import refuse
from graph_crm.auth.keys import ApiKey
from graph_crm.errors import StoreUnavailable
from graph_crm.store.base import GraphStore
from graph_crm.store.reads.guard import ReadGuard

#: What a 401 tells the client to send.
CHALLENGE: Final = {"WWW-Authenticate": 'Bearer realm="graph-crm"'}
#: Where authentication leaves an unconfirmed request's guard.
_GUARD: Final = "graph_crm.read_guard"
#: Keys remembered per process (least recently used forgotten first).
MAX_KEYS: Final = 4096


class VerifiedKeys:
    """The keys this process verified the full way, by id, least recently used first."""

    def __init__(self, limit: int = MAX_KEYS) -> None:
        self.limit = limit
        self._keys: OrderedDict[str, ApiKey] = OrderedDict()

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, key_id: str) -> ApiKey | None:
        key = self._keys.get(key_id)
        if key is not None:
            self._keys.move_to_end(key_id)
        return key

    def keep(self, key: ApiKey) -> None:
        """Remember ``key``, just verified the full way and active."""
        self._keys[key.id] = key
        self._keys.move_to_end(key.id)
        while len(self._keys) > self.limit:
            self._keys.popitem(last=False)

    def forget(self, key_id: str) -> None:
        self._keys.pop(key_id, None)


def keep_guard(conn: HTTPConnection, guard: ReadGuard) -> None:
    """Mark the request unconfirmed: it may be answered only behind ``guard``."""
    conn.scope[_GUARD] = guard


def settled(conn: HTTPConnection) -> None:
    """The request's key was found as verified by its guarded read (or nobody waits for
    the answer any more): no confirmation needed."""
    conn.scope.pop(_GUARD, None)


def unconfirmed(conn: HTTPConnection) -> ReadGuard | None:
    """The guard of a request let in unconfirmed, None once confirmed (or never so)."""
    guard = conn.scope.get(_GUARD)
    return guard if isinstance(guard, ReadGuard) else None


async def confirm(conn: HTTPConnection, guard: ReadGuard) -> Response | None:
    """Read the unconfirmed request's key and the registry the full way (one round
    trip): None, the request now confirmed with the current registry; or the refusal
    the authentication middleware would have answered (401, the key forgotten; 503)."""
    store: GraphStore = conn.app.state.store
    try:
        key, registry = await store.api_key_and_registry(guard.key_id)
    except StoreUnavailable as error:
        return refuse(conn, 503, error.code, error.message)
    if key is None or key.secret_hash != guard.secret_hash or key.role.value != guard.role:
        conn.app.state.verified_keys.forget(guard.key_id)
        return refuse(conn, 401, "UNAUTHENTICATED", "the API key is not valid", CHALLENGE)
    if not key.active:
        conn.app.state.verified_keys.forget(guard.key_id)
        return refuse(conn, 401, "UNAUTHENTICATED", "the API key was revoked", CHALLENGE)
    settled(conn)
    keep_registry(conn, registry)
    return None
