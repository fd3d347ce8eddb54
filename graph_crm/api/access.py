"""Who is calling (a bearer API key) and whether their role may run an operation.

Every request but ``/healthz`` and the GraphiQL page itself needs a live key. The root
fields of the operation that will run (chosen once, by :mod:`graph_crm.api.operation`)
are checked before anything runs, so a document that mixes allowed and forbidden
fields is refused whole and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from graphql import GraphQLError, OperationType
from starlette.requests import Request

from graph_crm.auth.keys import PREFIX as KEY_PREFIX
from graph_crm.auth.keys import Forbidden, Unauthenticated, parse_token, verify
from graph_crm.auth.roles import JOB, Permission, Role
from graph_crm.model.graphql_names import EntityNames
from graph_crm.model.registry import Registry
from graph_crm.store.base import GraphStore

if TYPE_CHECKING:
    from graph_crm.api.jwt_auth import JwtVerifier
    from graph_crm.api.operation import Operation


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: how their changes are recorded, and their role."""

    actor: str
    role: Role
    key_id: str


#: Root mutation fields of the core schema and the permission each needs. A mutation
#: field in neither this table nor the generated typed writes needs ADMIN (deny by default).
CORE_MUTATIONS: Final[dict[str, Permission]] = {
    "defineEntityType": Permission.DEFINE,
    "alterEntityType": Permission.DEFINE,
    "defineRelationType": Permission.DEFINE,
    "defineImpactPolicy": Permission.DEFINE,
    "alterImpactPolicy": Permission.DEFINE,
    "dropImpactPolicy": Permission.DEFINE,
    "upsertEntities": Permission.WRITE,
    "linkEntities": Permission.WRITE,
    "unlinkEntities": Permission.WRITE,
    "deleteEntities": Permission.WRITE,
}
#: Root query fields that need more than READ.
SPECIAL_QUERIES: Final[dict[str, Permission]] = {
    "impactReport": Permission.IMPACT,
    "auditLog": Permission.ADMIN,
}


async def authenticate(
    request: Request, store: GraphStore, jwt: JwtVerifier | None = None
) -> Principal:
    """The caller a request's ``Authorization: Bearer <token>`` names, or Unauthenticated:
    an API key, or (when configured) a JWT from the identity provider."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthenticated(
            "this API needs an API key: send 'Authorization: Bearer <key>' "
            "(create one with `graph-crm keys create --role ...`)"
        )
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send the API key as 'Authorization: Bearer <key>'")
    token = token.strip()
    if jwt is not None and not token.startswith(f"{KEY_PREFIX}_"):
        return await jwt.principal(token)
    key_id, _ = parse_token(token)
    key = await store.api_key(key_id)
    if key is None or not verify(key, token):
        raise Unauthenticated("the API key is not valid")
    if not key.active:
        raise Unauthenticated("the API key was revoked")
    return Principal(actor=key.actor, role=key.role, key_id=key.id)


def needed(operation: OperationType, field: str, registry: Registry) -> Permission | None:
    """The permission a root field needs; None for introspection (any caller)."""
    if field.startswith("__"):
        return None
    if operation is OperationType.QUERY:
        return SPECIAL_QUERIES.get(field, Permission.READ)
    if operation is OperationType.MUTATION:
        if field in CORE_MUTATIONS:
            return CORE_MUTATIONS[field]
        if any(
            field in (n.upsert, n.delete)
            for n in map(EntityNames.of, registry.entity_types.values())
        ):
            return Permission.WRITE
    return Permission.ADMIN


def check_access(
    principal: Principal, operation: Operation, registry: Registry
) -> list[GraphQLError]:
    """A FORBIDDEN error for each root field of ``operation`` (the one that will run, as
    :func:`~graph_crm.api.operation.select_operation` chose it) that the principal's
    role may not run."""
    errors = []
    for field in operation.root_fields:
        permission = needed(operation.kind, field, registry)
        if permission is None or principal.role.allows(permission):
            continue
        errors.append(
            GraphQLError(
                f"{field} needs the {permission.value} permission (the "
                f"{JOB[permission].value} role's); this key's role is {principal.role.value}",
                path=[field],
                extensions={
                    "code": Forbidden.code,
                    "path": [field],
                    "role": principal.role.value,
                    "needs": permission.value,
                },
            )
        )
    return errors
