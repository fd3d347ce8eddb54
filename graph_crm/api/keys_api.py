"""API keys in the core schema, for admins only (``access.py``): ``apiKeys``,
``createApiKey`` (the token shown this once) and ``revokeApiKey``.

The same operations as ``graph-crm keys`` (:mod:`graph_crm.services.api_keys`); the key
the request came with is recorded as their author in the audit log. Nothing here ever
returns a key's token again, nor its hash.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from graph_crm.api.context import Info, field, mutation
from graph_crm.api.errors import Error, as_result
from graph_crm.auth.keys import ApiKey
from graph_crm.auth.roles import Role
from graph_crm.services.api_keys import issue_key, revoke_key


# Not "Role": an entity type of that name (a contact's role) is too likely.
@strawberry.enum(name="ApiKeyRole", description="What a key's holder may do (docs: Security).")
class ApiKeyRoleEnum(Enum):
    ANALYST = Role.ANALYST.value
    RISK = Role.RISK.value
    CONFIG_OFFICER = Role.CONFIG_OFFICER.value
    INTEGRATION = Role.INTEGRATION.value
    ADMIN = Role.ADMIN.value


@strawberry.type(name="ApiKey", description="An API key: never its token, nor its hash.")
class ApiKeyNode:
    id: strawberry.ID = strawberry.field(description="16 hex digits, the token's second part.")
    name: str
    role: ApiKeyRoleEnum
    created_at: datetime
    created_by: str = strawberry.field(description="Who made it, as the audit log says.")
    revoked_at: datetime | None
    active: bool = strawberry.field(description="Not revoked: its token is accepted.")

    @classmethod
    def from_model(cls, key: ApiKey) -> ApiKeyNode:
        return cls(
            id=strawberry.ID(key.id),
            name=key.name,
            role=ApiKeyRoleEnum(key.role.value),
            created_at=key.created_at,
            created_by=key.created_by,
            revoked_at=key.revoked_at,
            active=key.active,
        )


@strawberry.type(
    name="ApiKeyCreatePayload", description="A new key, and the only time its token is shown."
)
class ApiKeyCreated:
    api_key: ApiKeyNode
    token: str = strawberry.field(
        description="Send it as 'Authorization: Bearer <token>'. Shown once: only its hash "
        "is stored, and no field returns it again."
    )


@strawberry.type(name="ApiKeyRevokePayload", description="A revoked key.")
class ApiKeyRevoked:
    api_key: ApiKeyNode
    already_revoked: bool = strawberry.field(
        description="It was revoked before: nothing changed, nothing was recorded."
    )
    own_key: bool = strawberry.field(
        description="It is the key this request was sent with: this answer is its last, the "
        "next request sending it gets HTTP 401 UNAUTHENTICATED."
    )


ApiKeyCreateResult = Annotated[ApiKeyCreated | Error, strawberry.union("ApiKeyCreateResult")]
ApiKeyRevokeResult = Annotated[ApiKeyRevoked | Error, strawberry.union("ApiKeyRevokeResult")]


@strawberry.type
class KeysQuery:
    @field("Every API key, oldest first; includeRevoked: false leaves revoked ones out. Admins.")
    async def api_keys(self, info: Info, include_revoked: bool = True) -> list[ApiKeyNode]:
        keys = await info.context.store.api_keys()
        return [ApiKeyNode.from_model(k) for k in keys if include_revoked or k.active]


@strawberry.type
class KeysMutation:
    @mutation(
        "Make an API key; the answer holds its token, shown this once. name: 1-63 letters, "
        "digits, spaces or . _ @ - (what it is for). Admins."
    )
    async def create_api_key(
        self, info: Info, name: str, role: ApiKeyRoleEnum
    ) -> ApiKeyCreateResult:
        context = info.context

        async def run() -> ApiKeyCreated:
            key, token = await issue_key(context.store, name, role.value, actor=context.actor)
            return ApiKeyCreated(api_key=ApiKeyNode.from_model(key), token=token)

        return await as_result(run)

    @mutation(
        "Revoke an API key now (again: no change). Revoking the key this request uses "
        "is allowed: the next request sending it gets 401. Admins."
    )
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyRevokeResult:
        context = info.context

        async def run() -> ApiKeyRevoked:
            revocation = await revoke_key(context.store, str(id), actor=context.actor)
            principal = context.principal
            return ApiKeyRevoked(
                api_key=ApiKeyNode.from_model(revocation.key),
                already_revoked=revocation.already_revoked,
                own_key=principal is not None and principal.key_id == revocation.key.id,
            )

        return await as_result(run)
