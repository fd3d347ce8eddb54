"""What every resolver gets: the open store, and who is acting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar, cast

import strawberry
from starlette.requests import HTTPConnection

from graph_crm.api.loaders import Loaders
from graph_crm.api.operation import Operation
from graph_crm.api.principal import Principal
from graph_crm.api.role_limits import ROLE_LIMITS, RoleLimits
from graph_crm.auth.roles import Role
from graph_crm.model.registry import Registry
from graph_crm.store.base import GraphStore

#: Who the registry records as the author of a change made without a principal.
API_ACTOR: Final = "api"


@dataclass
class ApiContext:
    store: GraphStore
    #: The HTTP request, or the WebSocket connection a subscription came over.
    request: HTTPConnection
    #: The authenticated caller (None only while the GraphiQL page is served).
    principal: Principal | None
    #: The registry this request runs against, and the schema built for it (the core
    #: schema and its typed part: :mod:`graph_crm.api.live`).
    registry: Registry
    schema: strawberry.Schema
    loaders: Loaders
    #: The one operation this request runs (api/operation.py), chosen before any check.
    operation: Operation | None = None
    #: What the caller's role may ask for.
    limits: RoleLimits = ROLE_LIMITS[Role.ADMIN]

    @property
    def actor(self) -> str:
        return API_ACTOR if self.principal is None else self.principal.actor


Info = strawberry.Info[ApiContext, None]


_Resolver = TypeVar("_Resolver", bound=Callable[..., Any])


def field(description: str) -> Callable[[_Resolver], _Resolver]:
    """``@strawberry.field(description=...)``, typed for mypy (strawberry's overload is Any)."""
    return cast(Callable[[_Resolver], _Resolver], strawberry.field(description=description))


def mutation(description: str) -> Callable[[_Resolver], _Resolver]:
    """``@strawberry.mutation(description=...)``, typed for mypy."""
    return cast(Callable[[_Resolver], _Resolver], strawberry.mutation(description=description))


def subscription(description: str) -> Callable[[_Resolver], _Resolver]:
    """``@strawberry.subscription(description=...)``, typed for mypy."""
    return cast(Callable[[_Resolver], _Resolver], strawberry.subscription(description=description))
