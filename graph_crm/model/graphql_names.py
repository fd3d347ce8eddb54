"""The GraphQL names generated for every runtime type, and the check that they never clash.

For an entity type ``ChatLog`` with an ENUM property ``mood``:

===============================  ===========================================
``ChatLog``                      the object type
``chatLog(key)``                 query: one entity by key
``chatLogs(where, orderBy, …)``  query: a page (``ChatLogConnection``, ``ChatLogEdge``)
``ChatLogWhere``                 its filter input; ``ChatLogOrderBy`` + ``ChatLogOrderField``
``ChatLogRelationFilter``        ``{some, none}`` over ChatLogs, used by other types' filters
``upsertChatLogs(records)``      mutation, records as ``ChatLogInput``
``deleteChatLogs(keys)``         mutation
``ChatLogMood``                  the enum; filtered with ``ChatLogMoodFilter``
===============================  ===========================================

Plurals follow English spelling rules: ``Company`` → ``companies``, ``Address`` →
``addresses``, otherwise an ``s``. For a relation type ``HAS_SUBSIDIARY`` from
``Customer`` to ``Subsidiary``: ``Customer.hasSubsidiary`` lists subsidiaries and
``Subsidiary.hasSubsidiaryInverse`` lists customers; ``…Edges`` variants
(``HasSubsidiaryEdge``, ``HasSubsidiaryInverseEdge``) carry the relation's properties
next to the ``node``. The same names filter: ``{hasSubsidiary: {some: {...}}}``.

Definitions whose names would clash with the core schema or with another type's
generated names are refused when they are defined (:func:`check_schema_names`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from graph_crm.errors import NameCollision
from graph_crm.model.english import plural
from graph_crm.model.types import EntityType, PropertyKind, _TypeDefinition

if TYPE_CHECKING:
    from graph_crm.model.registry import Registry

#: Every named type of the static core schema (a test keeps this equal to it).
CORE_TYPE_NAMES: Final = frozenset(
    {
        "Boolean", "DateTime", "DeletePayload", "DeleteResult", "Direction", "Entity",
        "EntityConnection", "EntityEdge", "EntityType", "EntityTypeInput", "EntityTypePayload",
        "EntityTypeResult", "Error", "Hop", "ID", "Int", "Issue", "JSON", "LinkInput",
        "Mutation", "OrderByInput", "PageInfo", "Path", "PropertyKind", "PropertySpec",
        "PropertySpecInput", "Query", "RelationType", "RelationTypeInput", "RelationTypePayload",
        "RelationTypeResult", "SortDirection", "StepInput", "String", "Traversal",
        "UnlinkPayload", "UnlinkResult", "WritePayload", "WriteResult",
        "Float", "ImpactComponent", "ImpactPathEntity", "ImpactPolicy", "ImpactPolicyPayload",
        "ImpactPolicyResult", "ImpactReport", "ImpactTarget", "ImpactTierCount", "ImpactTotals",
        "ReportFormat", "AuditLogConnection", "AuditLogEdge", "AuditRecord", "AuditLogOrder",
        "ApiKey", "ApiKeyCreatePayload", "ApiKeyCreateResult", "ApiKeyRevokePayload",
        "ApiKeyRevokeResult", "ApiKeyRole",
        "EntityNeighborConnection", "EntityNeighborEdge", "RelationCount",
        "DefinitionChange", "DefinitionChangeEdge", "DefinitionHistory", "DefinitionOperationInput",
        "DefinitionPreview", "DefinitionsPayload", "DefinitionsResult", "DropPropertyInput",
        "DroppedTypePayload", "DroppedTypeResult", "PropertyPatchInput", "SchemaChange",
        "SchemaChangeKind", "TypeDefinitionPayload", "TypeDefinitionResult", "TypeDetailsInput",
        "Viewer", "TypeCount", "TypeCounts",
        "ImpactComparison", "ImpactComparedTarget", "ImpactTierChange", "ImpactSide",
        "ImpactSettingInput", "ReportDocument",
        "SchemaDocumentChange", "SchemaDocumentPayload", "SchemaDocumentResult",
        "Incident", "IncidentStatus", "IncidentNote", "IncidentAction", "IncidentTierCount",
        "IncidentTotals", "IncidentDiffTarget", "IncidentTierChange", "IncidentPolicyDiff",
        "IncidentVersion", "IncidentVersionPage", "IncidentEdge", "IncidentConnection",
        "IncidentPayload", "IncidentResult", "IncidentFilter", "DisruptionSourceInput",
        "EventIntegration", "IntegrationEventType", "IntegrationCreatePayload",
        "IntegrationCreateResult", "IntegrationRevokePayload", "IntegrationRevokeResult",
        "OutboundWebhook", "WebhookFilter", "WebhookFilterInput", "WebhookDelivery",
        "WebhookDeliveryStatus", "WebhookDeliveryAttempt", "WebhookDeliveryPage",
        "WebhookCreatePayload", "WebhookCreateResult", "WebhookRevokePayload",
        "WebhookRevokeResult", "WebhookReplayPayload", "WebhookReplayResult",
        "Subscription", "IncidentChangeFilter", "IncidentChangedEvent", "IncidentTopRows",
    }
)  # fmt: skip
CORE_QUERY_FIELDS: Final = frozenset(
    {"entities", "entity", "entityType", "entityTypes", "relationTypes", "schemaVersion"}
    | {"traverse", "impactPolicies", "impactPolicy", "impactReport", "auditLog"}
    | {"apiKeys"}
    | {"previewDefinitions", "definitionHistory"}
    | {"viewer", "typeCounts"}
    | {"impactComparison"}
    | {"incidents", "incident"}
    | {"integrations"}
    | {"webhooks", "webhookDeliveries"}
)
CORE_MUTATION_FIELDS: Final = frozenset(
    {"alterEntityType", "defineEntityType", "defineRelationType", "deleteEntities"}
    | {"linkEntities", "unlinkEntities", "upsertEntities"}
    | {"defineImpactPolicy", "alterImpactPolicy", "dropImpactPolicy"}
    | {"createApiKey", "revokeApiKey"}
    | {"alterRelationType", "dropEntityType", "dropRelationType", "applyDefinitions"}
    | {"applySchema"}
    | {"addProperty", "alterProperty", "dropProperty", "alterTypeDetails"}
    | {"reportDisruption", "acknowledgeIncident", "resolveIncident", "assignIncident"}
    | {"addIncidentNote", "checkIncidentAction"}
    | {"createIntegration", "revokeIntegration"}
    | {"createWebhook", "revokeWebhook", "replayDelivery"}
)
CORE_SUBSCRIPTION_FIELDS: Final = frozenset({"incidentChanged"})
#: Scalars and filter inputs the generated part shares between all types.
SHARED_TYPE_NAMES: Final = {
    "Float": "a scalar",
    "Long": "a 64-bit integer",
    "Date": "a calendar date",
    **{
        f"{scalar}Filter": f"the filter on {scalar} values"
        for scalar in ("String", "Long", "Float", "Boolean", "Date", "DateTime", "JSON")
    },
}
#: The GraphQL scalar of each property kind (enums get a type of their own).
SCALAR_OF_KIND: Final = {
    PropertyKind.STRING: "String",
    PropertyKind.INT: "Long",
    PropertyKind.FLOAT: "Float",
    PropertyKind.BOOLEAN: "Boolean",
    PropertyKind.DATE: "Date",
    PropertyKind.DATETIME: "DateTime",
    PropertyKind.JSON: "JSON",
}
#: Fields every generated entity object has besides its properties and relations.
SYSTEM_FIELDS: Final = ("id", "key", "createdAt", "updatedAt")
INVERSE_SUFFIX: Final = "Inverse"
EDGES_SUFFIX: Final = "Edges"


def lower_first(name: str) -> str:
    """The name with its first letter in lower case.

    >>> lower_first("ChatLog")
    'chatLog'
    """
    return name[:1].lower() + name[1:]


def upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def relation_field(relation_name: str) -> str:
    """The field an UPPER_SNAKE relation type becomes on its ``from`` type.

    >>> relation_field("HAS_SUBSIDIARY"), relation_field("MENTIONS")
    ('hasSubsidiary', 'mentions')
    """
    first, *rest = relation_name.lower().split("_")
    return first + "".join(part.capitalize() for part in rest)


def enum_names(definition: _TypeDefinition) -> dict[str, str]:
    """The GraphQL enum of each ENUM property: owner and property, e.g. ``CustomerTier``.

    A relation type's enums start with its field name: ``HAS_SUBSIDIARY``'s ``role`` is
    ``HasSubsidiaryRole``.
    """
    owner = (
        definition.name
        if isinstance(definition, EntityType)
        else upper_first(relation_field(definition.name))
    )
    return {
        spec.name: owner + upper_first(spec.name)
        for spec in definition.properties
        if spec.kind is PropertyKind.ENUM
    }


@dataclass(frozen=True, slots=True)
class EntityNames:
    type: str
    lookup: str
    list: str
    connection: str
    edge: str
    where: str
    order_by: str
    order_field: str
    relation_filter: str
    input: str
    upsert: str
    delete: str
    enums: dict[str, str]

    @staticmethod
    def of(entity_type: EntityType) -> EntityNames:
        name = entity_type.name
        many = plural(lower_first(name))
        return EntityNames(
            type=name,
            lookup=lower_first(name),
            list=many,
            connection=f"{name}Connection",
            edge=f"{name}Edge",
            where=f"{name}Where",
            order_by=f"{name}OrderBy",
            order_field=f"{name}OrderField",
            relation_filter=f"{name}RelationFilter",
            input=f"{name}Input",
            upsert=f"upsert{upper_first(many)}",
            delete=f"delete{upper_first(many)}",
            enums=enum_names(entity_type),
        )

    def type_names(self) -> Iterator[str]:
        yield from (self.type, self.connection, self.edge, self.where, self.order_by)
        yield from (self.order_field, self.relation_filter, self.input)
        for enum in self.enums.values():
            yield from (enum, f"{enum}Filter")


@dataclass(frozen=True, slots=True)
class RelationEnd:
    """A relation type as one of its ends sees it: a list field, its edges and filter."""

    field: str
    edges_field: str
    edge_type: str

    @staticmethod
    def of(relation_name: str, *, inverse: bool) -> RelationEnd:
        field = relation_field(relation_name) + (INVERSE_SUFFIX if inverse else "")
        return RelationEnd(
            field=field, edges_field=field + EDGES_SUFFIX, edge_type=upper_first(field) + "Edge"
        )


def _owned_names(registry: Registry) -> Iterator[tuple[str, str, str]]:
    """(namespace, name, owner) for everything the registry's types generate."""
    for name in sorted(registry.entity_types):
        entity_type = registry.entity_types[name]
        names = EntityNames.of(entity_type)
        owner = f"entity type {name!r}"
        for type_name in names.type_names():
            yield "type", type_name, owner
        yield "Query", names.lookup, owner
        yield "Query", names.list, owner
        yield "Mutation", names.upsert, owner
        yield "Mutation", names.delete, owner
        for field in (*SYSTEM_FIELDS, *(spec.name for spec in entity_type.properties)):
            yield f"{name}.", field, owner
    for name in sorted(registry.relation_types):
        relation_type = registry.relation_types[name]
        owner = f"relation type {name!r}"
        for end_type, inverse in ((relation_type.from_type, False), (relation_type.to_type, True)):
            end = RelationEnd.of(name, inverse=inverse)
            yield "type", end.edge_type, owner
            yield f"{end_type}.", end.field, owner
            yield f"{end_type}.", end.edges_field, owner
        for enum in enum_names(relation_type).values():
            yield "type", enum, owner


def check_schema_names(registry: Registry, changed: str | None = None) -> None:
    """Raise :class:`NameCollision` if two things would get the same GraphQL name.

    ``changed``: the owner (``"entity type 'X'"``) of the definition being made; its
    names are checked last, so the message blames it, not the type already there.
    """
    owners: dict[tuple[str, str], str] = {}
    for name in CORE_TYPE_NAMES:
        owners["type", name] = "the core schema"
    for name, what in SHARED_TYPE_NAMES.items():
        owners["type", name] = f"the core schema ({what})"
    for name in CORE_QUERY_FIELDS:
        owners["Query", name] = "the core schema"
    for name in CORE_MUTATION_FIELDS:
        owners["Mutation", name] = "the core schema"
    for name in CORE_SUBSCRIPTION_FIELDS:
        owners["Subscription", name] = "the core schema"
    owned = sorted(_owned_names(registry), key=lambda item: item[2] == changed)
    for namespace, name, owner in owned:
        taken = owners.setdefault((namespace, name), owner)
        if taken != owner:
            where = "a type" if namespace == "type" else f"a field of {namespace.rstrip('.')}"
            raise NameCollision(
                f"{owner} would generate the GraphQL name {name!r} ({where}), "
                f"which {taken} already uses; choose another name",
                path=("name",),
            )


@dataclass(frozen=True, slots=True)
class RelationField:
    """A relation field of one entity type: which relation, which way, to which type."""

    end: RelationEnd
    relation: str
    direction: str  # "OUT" from the relation's from-type, "IN" from its to-type
    far_type: str


def relation_fields(registry: Registry, entity_type: str) -> dict[str, RelationField]:
    """The relation fields of ``entity_type`` by field name, in a stable order.

    >>> from graph_crm.model.registry import Registry
    >>> from graph_crm.model.types import EntityType, RelationType
    >>> registry = Registry.from_definitions(
    ...     1, [EntityType(name="Customer"), EntityType(name="Subsidiary")],
    ...     [RelationType(name="HAS_SUBSIDIARY", from_type="Customer", to_type="Subsidiary")])
    >>> list(relation_fields(registry, "Subsidiary"))
    ['hasSubsidiaryInverse']
    """
    fields: dict[str, RelationField] = {}
    for name in sorted(registry.relation_types):
        relation_type = registry.relation_types[name]
        if relation_type.from_type == entity_type:
            end = RelationEnd.of(name, inverse=False)
            fields[end.field] = RelationField(end, name, "OUT", relation_type.to_type)
        if relation_type.to_type == entity_type:
            end = RelationEnd.of(name, inverse=True)
            fields[end.field] = RelationField(end, name, "IN", relation_type.from_type)
    return fields
