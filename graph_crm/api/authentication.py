"""Who is calling, settled by Starlette's ``AuthenticationMiddleware`` before anything
else of the request is read.

:class:`BearerAuthentication`, its backend, turns ``Authorization: Bearer <token>`` into
a :class:`~graph_crm.api.principal.Principal`: an API key looked up in the store, or a
JWT from the identity provider when one is configured. An address that keeps failing is
refused before its key is even looked up (:mod:`graph_crm.api.auth_throttle`). On
``/graphql``, a key this process verified before is let in without a read, unconfirmed,
for a compiled query to check in its own read (:mod:`graph_crm.api.verified_keys`).

The stock middleware expresses every answer we need: the backend raises an
:class:`AuthenticationRefused` carrying its status and headers, and
:func:`authentication_refused` (the middleware's ``on_error``) answers it: 401 with
``WWW-Authenticate``, 429 with ``Retry-After``, or 503 when the store cannot be asked.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.responses import Response

from graph_crm.api.auth_throttle import AuthFailureThrottle, client_address
from graph_crm.api.jwt_auth import JwtVerifier
from graph_crm.api.principal import Principal, keep_registry
from graph_crm.api.refusal import refuse, retry_after
from graph_crm.api.request_log import note
from graph_crm.api.role_limits import RateLimited
from graph_crm.api.verified_keys import CHALLENGE, VerifiedKeys, keep_guard
from graph_crm.auth.keys import PREFIX as KEY_PREFIX
from graph_crm.auth.keys import ApiKey, Unauthenticated, parse_token, verify
from graph_crm.errors import StoreUnavailable
from graph_crm.model.registry import Registry
from graph_crm.store.base import GraphStore
from graph_crm.store.reads.guard import ReadGuard


class AuthenticationRefused(AuthenticationError):
    """A caller not let in: the answer's status, code, message and headers."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


async def bearer_principal(
    headers: Headers, store: GraphStore, jwt: JwtVerifier | None = None
) -> Principal:
    """The caller ``Authorization: Bearer <token>`` names, or Unauthenticated: an API
    key, or (when configured) a JWT from the identity provider."""
    principal, _ = await bearer_identity(headers, store, jwt)
    return principal


async def bearer_identity(
    headers: Headers, store: GraphStore, jwt: JwtVerifier | None = None
) -> tuple[Principal, Registry | None]:
    """:func:`bearer_principal`, with the current registry when the caller's key was
    read: the key and the registry's version are one read (one Neo4j round trip), so a
    request costs that one before its own work."""
    principal, registry, _ = await _identity(headers, store, jwt)
    return principal, registry


def _bearer_token(headers: Headers) -> str:
    """The token of ``Authorization: Bearer <token>``, or Unauthenticated."""
    header = headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthenticated(
            "this API needs an API key: send 'Authorization: Bearer <key>' "
            "(create one with `graph-crm keys create --role ...`)"
        )
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send the API key as 'Authorization: Bearer <key>'")
    return token.strip()


def _is_key(token: str, jwt: JwtVerifier | None) -> bool:
    """Whether ``token`` is to be checked as an API key (else as a JWT)."""
    return jwt is None or token.startswith(f"{KEY_PREFIX}_")


async def _identity(
    headers: Headers, store: GraphStore, jwt: JwtVerifier | None
) -> tuple[Principal, Registry | None, ApiKey | None]:
    """The caller, the registry read with their key and the key (both None: a JWT)."""
    token = _bearer_token(headers)
    if not _is_key(token, jwt):
        assert jwt is not None
        return await jwt.principal(token), None, None
    key_id, _ = parse_token(token)
    key, registry = await store.api_key_and_registry(key_id)
    if key is None or not verify(key, token):
        raise Unauthenticated("the API key is not valid")
    if not key.active:
        raise Unauthenticated("the API key was revoked")
    return _principal(key), registry, key


def _principal(key: ApiKey) -> Principal:
    return Principal(actor=key.actor, role=key.role, key_id=key.id, name=key.name)


class BearerAuthentication(AuthenticationBackend):
    """Bearer keys (and JWTs), failed attempts throttled per client address.

    With ``keys`` (``/graphql`` over HTTP): a key this process verified before is let
    in unconfirmed, without reading the store, when compiled reads are on
    (:mod:`graph_crm.api.verified_keys`); every other key is read, and remembered once
    verified."""

    def __init__(
        self,
        *,
        jwt: JwtVerifier | None,
        failures: AuthFailureThrottle,
        keys: VerifiedKeys | None = None,
    ) -> None:
        self.jwt = jwt
        self.failures = failures
        self.keys = keys

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        try:
            with self.failures.attempt(client_address(conn)):
                return await self.identify(conn)
        except Unauthenticated as error:
            raise AuthenticationRefused(401, error.code, error.message, CHALLENGE) from None
        except RateLimited as error:  # this address failed too often: not even looked up
            raise AuthenticationRefused(
                429, error.code, error.message, retry_after(error)
            ) from None
        except StoreUnavailable as error:
            raise AuthenticationRefused(503, error.code, error.message) from None

    async def identify(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        """Who the request's credentials name (called inside the failure throttle): the
        caller, with their role as the one scope; Unauthenticated if nobody."""
        store: GraphStore = conn.app.state.store
        principal = self._known(conn, store)
        if principal is None:
            principal, registry, key = await _identity(conn.headers, store, self.jwt)
            if registry is not None:
                keep_registry(conn, registry)
            if key is not None and self.keys is not None:
                self.keys.keep(key)
        note(conn, key=principal.key_id, role=principal.role.value)
        return AuthCredentials([principal.role.value]), principal

    def _known(self, conn: HTTPConnection, store: GraphStore) -> Principal | None:
        """The caller of a key this process verified before, let in unconfirmed with its
        guard (the registry this process last read); None to check the full way."""
        if self.keys is None or not conn.app.state.settings.compiled_reads:
            return None
        try:
            token = _bearer_token(conn.headers)
            if not _is_key(token, self.jwt):
                return None
            key_id, _ = parse_token(token)
        except Unauthenticated:
            return None  # refused the full way, which counts the failure
        key = self.keys.get(key_id)
        if key is None or not verify(key, token):
            return None
        registry = store.known_registry()
        keep_guard(conn, ReadGuard(key.id, key.secret_hash, key.role.value, registry.version))
        keep_registry(conn, registry)
        return _principal(key)


def authentication_refused(conn: HTTPConnection, error: AuthenticationError) -> Response:
    """``AuthenticationMiddleware``'s ``on_error``: the refusal the backend raised."""
    if not isinstance(error, AuthenticationRefused):
        raise error  # not ours to answer: a server error
    return refuse(conn, error.status, error.code, error.message, error.headers)


def bearer_authentication(
    *, jwt: JwtVerifier | None, failures: AuthFailureThrottle, keys: VerifiedKeys | None = None
) -> Middleware:
    """Starlette's ``AuthenticationMiddleware`` with our backend, for a route's middleware
    (every route that serves callers shares one throttle; ``keys``: see
    :class:`BearerAuthentication`)."""
    return Middleware(
        AuthenticationMiddleware,
        backend=BearerAuthentication(jwt=jwt, failures=failures, keys=keys),
        on_error=authentication_refused,
    )
