"""Who is calling (a bearer API key) and whether their role may run an operation.

Every request but ``/healthz`` and the GraphiQL page itself needs a live key. The
operation's root fields are checked before anything runs, so a document that mixes
allowed and forbidden fields is refused whole and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)
from starlette.requests import Request

from graph_crm.api.limits import MAX_TOKENS
from graph_crm.auth.keys import PREFIX as KEY_PREFIX
from graph_crm.auth.keys import Forbidden, Unauthenticated, parse_token, verify
from graph_crm.auth.roles import JOB, Permission, Role
from graph_crm.model.naming import EntityNames
from graph_crm.model.registry import Registry
from graph_crm.store.base import GraphStore

if TYPE_CHECKING:
    from graph_crm.api.jwt_auth import JwtVerifier


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
    principal: Principal, query: str, operation_name: str | None, registry: Registry
) -> list[GraphQLError]:
    """A FORBIDDEN error for each root field the principal's role may not run."""
    errors = []
    for operation, field in root_fields(query, operation_name):
        permission = needed(operation, field, registry)
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


@lru_cache(maxsize=256)
def root_fields(query: str, operation_name: str | None) -> tuple[tuple[OperationType, str], ...]:
    """The root fields the operation selects (through fragments too); () if it does not
    parse or names no operation: execution then refuses it before any resolver runs."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return ()
    operation = _operation(document, operation_name)
    if operation is None:
        return ()
    fragments = {
        d.name.value: d.selection_set
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    names = dict.fromkeys(_fields(operation.selection_set, fragments, set()))
    return tuple((operation.operation, name) for name in names)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _fields(
    selection: SelectionSetNode, fragments: dict[str, SelectionSetNode], seen: set[str]
) -> Iterator[str]:
    for node in selection.selections:
        if isinstance(node, FieldNode):
            yield node.name.value
        elif isinstance(node, InlineFragmentNode):
            yield from _fields(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            seen.add(node.name.value)
            if node.name.value in fragments:
                yield from _fields(fragments[node.name.value], fragments, seen)
