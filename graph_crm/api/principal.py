"""Who is calling: the caller an authenticated request carries in ``scope["user"]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from starlette.authentication import BaseUser
from starlette.requests import HTTPConnection

from graph_crm.auth.roles import Role
from graph_crm.model.registry import Registry

#: Where authentication leaves the registry it read with the caller's key.
_REGISTRY: Final = "graph_crm.registry"


@dataclass(frozen=True, slots=True)
class Principal(BaseUser):
    """An authenticated caller: how their changes are recorded, and their role.

    A Starlette user, as :mod:`graph_crm.api.authentication` puts it in the scope.
    """

    actor: str
    role: Role
    key_id: str
    #: The key's name (a JWT's subject), as ``viewer`` shows it.
    name: str = ""

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.actor

    @property
    def identity(self) -> str:
        return self.key_id


def principal_of(conn: HTTPConnection) -> Principal:
    """The caller authentication found for this request."""
    user = conn.scope.get("user")
    if not isinstance(user, Principal):
        # a route serving callers must sit behind the authentication middleware
        raise RuntimeError(f"{conn.url.path} is served without authentication")
    return user


def keep_registry(conn: HTTPConnection, registry: Registry) -> None:
    """Keep the registry read with the caller's key (in the same round trip) for the
    request: it need not be read again."""
    conn.scope[_REGISTRY] = registry


def registry_read_with_key(conn: HTTPConnection) -> Registry | None:
    """The registry authentication read with the caller's key, if it did (API keys do;
    a JWT is checked without the store)."""
    registry = conn.scope.get(_REGISTRY)
    return registry if isinstance(registry, Registry) else None
