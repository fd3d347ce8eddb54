"""Strict, anchored name patterns: the only identifiers that may reach query text.

Entity types are PascalCase, relation types UPPER_SNAKE, properties camelCase,
enum values UPPER_SNAKE; ASCII letters and digits only, at most 64 characters.
"""

from __future__ import annotations

import re
from typing import Final

from graph_crm.errors import InvalidName, ReservedName

MAX_NAME_LENGTH: Final = 64

ENTITY_TYPE_PATTERN: Final = re.compile(r"[A-Z][A-Za-z0-9]{0,63}", re.ASCII)
RELATION_TYPE_PATTERN: Final = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*", re.ASCII)
PROPERTY_PATTERN: Final = re.compile(r"[a-z][A-Za-z0-9]{0,63}", re.ASCII)
ENUM_VALUE_PATTERN: Final = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*", re.ASCII)

#: Names the GraphQL layer and the storage layer use for themselves.
RESERVED_TYPE_NAMES: Final = frozenset(
    {
        "Entity",
        "Relation",
        "Query",
        "Mutation",
        "Subscription",
        "String",
        "Int",
        "Float",
        "Boolean",
        "ID",
        "Date",
        "DateTime",
        "JSON",
        "Node",
        "PageInfo",
        "Path",
        "Step",
        "Traversal",
        "Error",
        "Registry",
        "EntityType",
        "RelationType",
        "PropertySpec",
        "PropertyKind",
        "Direction",
        "Policy",
        "ImpactPolicy",
        "ImpactReport",
        "ImpactComponent",
        "ImpactPathEntity",
        "ImpactTarget",
        "ImpactTierCount",
        "ImpactTotals",
        "ImpactComparison",
        "ImpactComparedTarget",
        "ImpactTierChange",
        "ImpactSide",
        "ReportDocument",
        "ReportFormat",
        "Schema",
        "Type",
        "Upload",
        "Hop",
        "Issue",
        "SortDirection",
        "AuditRecord",
        "AuditLog",
        "AuditLogOrder",
        "ApiKey",
        "ApiKeyRole",
        # not "Integration" nor "EventType": entity types of those names are too likely
        "EventIntegration",
        "IntegrationEventType",
        # outbound webhooks (graph_crm/incidents/webhook.py, api/webhooks_api.py)
        "OutboundWebhook",
        "WebhookDelivery",
        "WebhookDeliveryStatus",
        "WebhookDeliveryAttempt",
        "WebhookDeliveryPage",
        "RelationCount",
        "DefinitionChange",
        "DefinitionHistory",
        "DefinitionPreview",
        "SchemaChange",
        "SchemaChangeKind",
        "SchemaDocumentChange",
        "Viewer",
        "TypeCount",
        "TypeCounts",
        # incidents (graph_crm/incidents, api/incident_types.py)
        "Incident",
        "IncidentStatus",
        "IncidentNote",
        "IncidentAction",
        "IncidentTierCount",
        "IncidentTotals",
        "IncidentDiffTarget",
        "IncidentTierChange",
        "IncidentPolicyDiff",
        "IncidentVersion",
        "IncidentVersionPage",
        "DisruptionSource",
        # incidentChanged subscriptions (api/subscriptions_api.py): IncidentChangeFilter
        "IncidentChange",
        "IncidentChangedEvent",
        "IncidentTopRows",
    }
)
#: Suffixes the generated GraphQL schema appends to entity type names.
RESERVED_TYPE_SUFFIXES: Final = (
    "Connection",
    "Edge",
    "Where",
    "OrderBy",
    "Input",
    "Payload",
    "Result",
    "Filter",
)
#: System properties every entity and relation has.
SYSTEM_PROPERTIES: Final = frozenset({"id", "key", "type", "createdAt", "updatedAt"})


def _check(name: object, pattern: re.Pattern[str], what: str, style: str) -> str:
    if not isinstance(name, str):
        raise InvalidName(f"{what} name must be a string, got {type(name).__name__}")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidName(f"{what} name is longer than {MAX_NAME_LENGTH} characters")
    if name.startswith("_"):
        raise ReservedName(f"{what} name {name!r} starts with '_', which is reserved")
    if pattern.fullmatch(name) is None:
        raise InvalidName(
            f"{what} name {name!r} is not valid: use {style} "
            f"(ASCII letters and digits, 1-{MAX_NAME_LENGTH} characters)"
        )
    return name


def check_entity_type_name(name: object) -> str:
    """Return ``name`` if it may name an entity type, else raise.

    >>> check_entity_type_name("CustomsBroker")
    'CustomsBroker'
    >>> check_entity_type_name("Query")
    Traceback (most recent call last):
    ...
    graph_crm.errors.ReservedName: RESERVED_NAME: entity type name 'Query' is reserved
    """
    checked = _check(name, ENTITY_TYPE_PATTERN, "entity type", "PascalCase, e.g. CustomsBroker")
    if checked in RESERVED_TYPE_NAMES:
        raise ReservedName(f"entity type name {checked!r} is reserved")
    for suffix in RESERVED_TYPE_SUFFIXES:
        if checked.endswith(suffix):
            raise ReservedName(
                f"entity type name {checked!r} ends with {suffix!r}, "
                "which the generated GraphQL schema uses"
            )
    return checked


def check_relation_type_name(name: object) -> str:
    """Return ``name`` if it may name a relation type, else raise.

    >>> check_relation_type_name("SHIPPED_VIA")
    'SHIPPED_VIA'
    """
    return _check(name, RELATION_TYPE_PATTERN, "relation type", "UPPER_SNAKE, e.g. SHIPPED_VIA")


def check_property_name(name: object) -> str:
    """Return ``name`` if it may name a user property, else raise.

    >>> check_property_name("slaDeadline")
    'slaDeadline'
    """
    checked = _check(name, PROPERTY_PATTERN, "property", "camelCase, e.g. slaDeadline")
    if checked in SYSTEM_PROPERTIES:
        raise ReservedName(f"property name {checked!r} is a system property")
    return checked


def check_enum_value(value: object) -> str:
    """Return ``value`` if it may be an enum value (a GraphQL enum value), else raise."""
    checked = _check(value, ENUM_VALUE_PATTERN, "enum value", "UPPER_SNAKE, e.g. IN_TRANSIT")
    if checked in {"TRUE", "FALSE", "NULL"}:
        raise ReservedName(f"enum value {checked!r} is reserved")
    return checked
