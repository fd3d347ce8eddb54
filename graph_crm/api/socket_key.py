"""Who holds a WebSocket connection to ``/graphql``, and whether they still may.

The key comes as ``Authorization: Bearer <key>`` on the upgrade request, or (browsers
cannot set headers on a WebSocket) in ``connection_init``'s payload as
``{"Authorization": "Bearer <key>"}``. It is checked by the same function as an HTTP
request's (:func:`~graph_crm.api.authentication.bearer_principal`), failed attempts
throttled per client address by the same throttle; and checked again while the
connection lives (at most once a second, and before each notification), so a revoked
key, or an expired JWT, loses its connection within seconds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Final

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection

from graph_crm.api.auth_throttle import AuthFailureThrottle, client_address
from graph_crm.api.authentication import bearer_principal
from graph_crm.api.jwt_auth import JwtVerifier
from graph_crm.api.principal import Principal
from graph_crm.api.request_log import note
from graph_crm.api.role_limits import RateLimited
from graph_crm.auth.keys import Unauthenticated
from graph_crm.errors import StoreUnavailable
from graph_crm.store.uncut import uncut

#: How long one check of a connection's key holds.
RECHECK_SECONDS: Final = 1.0
#: graphql-transport-ws close codes (the protocol's, and ours in its 4400s).
CLOSE_FORBIDDEN: Final = 4403
CLOSE_THROTTLED: Final = 4429
#: The store did not answer: the standard "try again later".
CLOSE_TRY_LATER: Final = 1013
#: A close frame's reason is at most 123 bytes of UTF-8.
MAX_REASON_BYTES: Final = 123


class SocketRefused(Exception):
    """A connection to close: its WebSocket close code and the reason sent with it."""

    def __init__(self, close_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.close_code = close_code
        self.reason = close_reason(code, message)


def close_reason(code: str, message: str) -> str:
    """``"CODE: message"``, cut to what a close frame holds (whole characters).

    >>> close_reason("UNAUTHENTICATED", "the API key was revoked")
    'UNAUTHENTICATED: the API key was revoked'
    >>> len(close_reason("X", "é" * 200).encode())
    123
    """
    text = f"{code}: {message}"
    encoded = text.encode("utf-8")[:MAX_REASON_BYTES]
    return encoded.decode("utf-8", errors="ignore")


def presented_headers(conn: HTTPConnection, payload: Mapping[str, Any]) -> Headers:
    """The credentials the connection presents: the upgrade request's Authorization
    header, else the one in ``connection_init``'s payload (any case of its name)."""
    header = conn.headers.get("authorization")
    if header is None:
        given = [
            v for k, v in payload.items() if isinstance(k, str) and k.lower() == "authorization"
        ]
        header = given[0] if len(given) == 1 and isinstance(given[0], str) else None
    return Headers({} if header is None else {"authorization": header})


class ConnectionKey:
    """The principal a connection authenticated as, re-checked while it lives."""

    def __init__(
        self,
        conn: HTTPConnection,
        credentials: Headers,
        principal: Principal,
        jwt: JwtVerifier | None,
    ) -> None:
        self._conn = conn
        self._credentials = credentials
        self._jwt = jwt
        self.principal = principal
        self._checked_at = time.monotonic()

    @classmethod
    async def authenticate(
        cls,
        conn: HTTPConnection,
        payload: Mapping[str, Any],
        *,
        jwt: JwtVerifier | None,
        failures: AuthFailureThrottle,
    ) -> ConnectionKey:
        """The connection's key, checked; else SocketRefused (4403 for no key or a bad one,
        4429 once the address failed too often, 1013 if the store did not answer)."""
        credentials = presented_headers(conn, payload)
        try:
            with failures.attempt(client_address(conn)):
                principal = await uncut(bearer_principal(credentials, conn.app.state.store, jwt))
        except Unauthenticated as error:
            raise _refused(conn, CLOSE_FORBIDDEN, error.code, error.message) from None
        except RateLimited as error:
            raise _refused(conn, CLOSE_THROTTLED, error.code, error.message) from None
        except StoreUnavailable as error:
            raise _refused(conn, CLOSE_TRY_LATER, error.code, error.message) from None
        note(conn, key=principal.key_id, role=principal.role.value)
        return cls(conn, credentials, principal, jwt)

    async def check(self, *, now: float | None = None) -> None:
        """Nothing if the key still holds (or was checked less than a second ago); else
        SocketRefused: 4403 if it was revoked or expired, 1013 if the store is away."""
        now = time.monotonic() if now is None else now
        if now - self._checked_at < RECHECK_SECONDS:
            return
        try:
            await bearer_principal(self._credentials, self._conn.app.state.store, self._jwt)
        except Unauthenticated as error:
            raise _refused(self._conn, CLOSE_FORBIDDEN, error.code, error.message) from None
        except StoreUnavailable as error:
            raise _refused(self._conn, CLOSE_TRY_LATER, error.code, error.message) from None
        self._checked_at = now


def _refused(conn: HTTPConnection, close_code: int, code: str, message: str) -> SocketRefused:
    note(conn, code=code)  # the connection's access log line
    return SocketRefused(close_code, code, message)
