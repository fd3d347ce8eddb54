"""Whether the caller's role may run an operation.

Who is calling was settled before (:mod:`graph_crm.api.authentication`). The root
fields of the operation that will run (chosen once, by :mod:`graph_crm.api.operation`)
are checked before anything runs, so a document that mixes allowed and forbidden
fields is refused whole and writes nothing.
"""

from __future__ import annotations

from typing import Final

from graphql import GraphQLError, OperationType

from graph_crm.api.operation import Operation
from graph_crm.api.principal import Principal
from graph_crm.auth.keys import Forbidden
from graph_crm.auth.roles import JOB, Permission
from graph_crm.model.graphql_names import EntityNames
from graph_crm.model.registry import Registry

#: Root mutation fields of the core schema and the permission each needs. A mutation
#: field in neither this table nor the typed writes (api/typed/) needs ADMIN (deny by default).
CORE_MUTATIONS: Final[dict[str, Permission]] = {
    "defineEntityType": Permission.DEFINE,
    "alterEntityType": Permission.DEFINE,
    "defineRelationType": Permission.DEFINE,
    "alterRelationType": Permission.DEFINE,
    "dropEntityType": Permission.DEFINE,
    "dropRelationType": Permission.DEFINE,
    "addProperty": Permission.DEFINE,
    "alterProperty": Permission.DEFINE,
    "dropProperty": Permission.DEFINE,
    "alterTypeDetails": Permission.DEFINE,
    "applyDefinitions": Permission.DEFINE,
    "applySchema": Permission.DEFINE,
    "defineImpactPolicy": Permission.DEFINE,
    "alterImpactPolicy": Permission.DEFINE,
    "dropImpactPolicy": Permission.DEFINE,
    "upsertEntities": Permission.WRITE,
    "linkEntities": Permission.WRITE,
    "unlinkEntities": Permission.WRITE,
    "deleteEntities": Permission.WRITE,
    "createApiKey": Permission.ADMIN,
    "revokeApiKey": Permission.ADMIN,
    "createIntegration": Permission.ADMIN,
    "revokeIntegration": Permission.ADMIN,
    "createWebhook": Permission.ADMIN,
    "revokeWebhook": Permission.ADMIN,
    "replayDelivery": Permission.ADMIN,
    # incidents are the risk team's work (docs/incidents.md)
    "reportDisruption": Permission.IMPACT,
    "acknowledgeIncident": Permission.IMPACT,
    "resolveIncident": Permission.IMPACT,
    "assignIncident": Permission.IMPACT,
    "addIncidentNote": Permission.IMPACT,
    "checkIncidentAction": Permission.IMPACT,
}
#: Root query fields that need more than READ.
SPECIAL_QUERIES: Final[dict[str, Permission]] = {
    "impactReport": Permission.IMPACT,
    "impactComparison": Permission.IMPACT,
    # an incident holds its impact reports
    "incidents": Permission.IMPACT,
    "incident": Permission.IMPACT,
    "auditLog": Permission.ADMIN,
    "apiKeys": Permission.ADMIN,
    "integrations": Permission.ADMIN,
    "webhooks": Permission.ADMIN,
    "webhookDeliveries": Permission.ADMIN,
    # a preview runs the batch's checks; the history names who changed what
    "previewDefinitions": Permission.DEFINE,
    "definitionHistory": Permission.DEFINE,
}
#: Root subscription fields and the permission each needs (any other needs ADMIN).
SUBSCRIPTIONS: Final[dict[str, Permission]] = {
    # its notifications carry the incident and its report versions
    "incidentChanged": Permission.IMPACT,
}


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
    if operation is OperationType.SUBSCRIPTION:
        return SUBSCRIPTIONS.get(field, Permission.ADMIN)
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
