"""Who is calling: the caller an authenticated request carries in ``scope["user"]``."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.authentication import BaseUser
from starlette.requests import HTTPConnection

from graph_crm.auth.roles import Role


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
