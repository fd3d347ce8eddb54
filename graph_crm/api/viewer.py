"""``viewer``: who the request's key is, its role and what the role may do.

Any authenticated caller may ask (every role reads); the console shows it after sign-in
and derives its navigation from ``permissions``, so it keeps no role table of its own.
"""

from __future__ import annotations

import strawberry

from graph_crm.api.context import Info, field
from graph_crm.auth.keys import Unauthenticated
from graph_crm.auth.roles import Permission


@strawberry.type(name="Viewer", description="The caller: the key (or token) of this request.")
class ViewerNode:
    key_id: str = strawberry.field(
        description="The API key's id (jwt:<issuer>:<subject> for a JWT)."
    )
    name: str = strawberry.field(description="The key's name (a JWT's subject).")
    role: str = strawberry.field(description="analyst, risk, config_officer, integration or admin.")
    permissions: list[str] = strawberry.field(
        description="What the role may do: read, impact, define, write, admin (in this order)."
    )


@strawberry.type
class ViewerQuery:
    @field("Who is calling: the key's id and name, its role and the role's permissions.")
    def viewer(self, info: Info) -> ViewerNode:
        principal = info.context.principal
        if principal is None:  # only the GraphiQL page is served without a key
            raise Unauthenticated("viewer needs an API key")
        return ViewerNode(
            key_id=principal.key_id,
            name=principal.name,
            role=principal.role.value,
            permissions=[p.value for p in Permission if principal.role.allows(p)],
        )
