"""Patches of one type: a property added, replaced or dropped, or the type's own fields
(label, description, labelProperty) changed, each turned into the whole definition it
makes (pure). What the result may do to stored data is then judged like any other
alteration (:mod:`graph_crm.model.alteration`).

A patch names its type with one ``type`` name, which may be an entity type (PascalCase)
or a relation type (UPPER_SNAKE). Both patterns accept a short all-capitals name
(``HR``); if the registry holds an entity type and a relation type of that one name, a
patch is refused as ambiguous and the whole-definition operations (``alterEntityType``,
``alterRelationType``) remain.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from graph_crm.errors import (
    GraphCrmError,
    InvalidInput,
    Issue,
    PathPart,
    UnknownProperty,
    UnknownType,
    raise_issues,
)
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType, PropertySpec, RelationType, parse_model

TypeDefinition = TypeVar("TypeDefinition", EntityType, RelationType)

#: The fields of a type :func:`with_details` may change.
DETAIL_FIELDS: Final = ("label", "description", "labelProperty")


def patch_target(registry: Registry, name: str) -> EntityType | RelationType:
    """The entity or relation type ``name`` names; refused (at ``type``) if none, or if
    it names one of each.

    >>> patch_target(Registry(), "Warehouse")
    Traceback (most recent call last):
    ...
    graph_crm.errors.UnknownType: UNKNOWN_TYPE: there is no entity type or relation type \
'Warehouse' (at type)
    """
    entity_type = registry.entity_types.get(name)
    relation_type = registry.relation_types.get(name)
    if entity_type is not None and relation_type is not None:
        raise InvalidInput(
            f"{name!r} names both an entity type and a relation type: change it with "
            "alterEntityType or alterRelationType",
            path=("type",),
        )
    found = entity_type or relation_type
    if found is None:
        raise UnknownType(f"there is no entity type or relation type {name[:80]!r}", path=("type",))
    return found


def with_property_added(definition: TypeDefinition, spec: PropertySpec) -> TypeDefinition:
    """``definition`` with ``spec`` added after its properties."""
    if definition.spec(spec.name) is not None:
        raise InvalidInput(
            f"{definition.name} already has a property {spec.name!r}: change it with alterProperty",
            path=("property", "name"),
        )
    return _rebuilt(definition, ("property",), properties=[*definition.properties, spec])


def with_property_replaced(definition: TypeDefinition, spec: PropertySpec) -> TypeDefinition:
    """``definition`` with its property ``spec.name`` replaced by ``spec``, in place."""
    _existing(definition, spec.name, ("property", "name"))
    properties = [spec if old.name == spec.name else old for old in definition.properties]
    return _rebuilt(definition, ("property",), properties=properties)


def with_property_dropped(definition: TypeDefinition, name: str) -> TypeDefinition:
    """``definition`` without its property ``name``."""
    _existing(definition, name, ("name",))
    if isinstance(definition, EntityType) and definition.label_property == name:
        raise InvalidInput(
            f"{name!r} is the labelProperty of {definition.name}: change or clear "
            "labelProperty first (alterTypeDetails)",
            path=("name",),
        )
    properties = [spec for spec in definition.properties if spec.name != name]
    return _rebuilt(definition, ("name",), properties=properties)


def with_details(definition: TypeDefinition, details: Mapping[str, Any]) -> TypeDefinition:
    """``definition`` with the fields ``details`` holds (of :data:`DETAIL_FIELDS`) set; a
    field left out is kept, a null one cleared.

    >>> broker = EntityType(name="CustomsBroker", description="Clears goods")
    >>> patched = with_details(broker, {"label": "报关行"})
    >>> patched.label, patched.description
    ('报关行', 'Clears goods')
    """
    unknown = [key for key in details if key not in DETAIL_FIELDS]
    if unknown:
        raise InvalidInput(
            f"a type's own fields are {', '.join(DETAIL_FIELDS)}; not {unknown[0][:80]!r}",
            path=(unknown[0][:80],),
        )
    if "labelProperty" in details and isinstance(definition, RelationType):
        raise InvalidInput(
            f"{definition.name} is a relation type: only an entity type has a labelProperty",
            path=("labelProperty",),
        )
    changes = dict(details)
    if "description" in changes and changes["description"] is None:
        changes["description"] = ""
    return _rebuilt(definition, (), **changes)


def _existing(definition: EntityType | RelationType, name: str, at: tuple[PathPart, ...]) -> None:
    if definition.spec(name) is None:
        raise UnknownProperty(f"{definition.name} has no property {name[:80]!r}", path=at)


def _rebuilt(
    definition: TypeDefinition, at: tuple[PathPart, ...], **changes: Any
) -> TypeDefinition:
    """The definition with ``changes``, validated as a whole; a problem with its
    properties or label property is reported at ``at`` (where the patch gave them)."""
    data = definition.model_dump(by_alias=True, exclude={"properties"})
    data["properties"] = list(definition.properties)  # checked already: kept as they are
    data.update(changes)
    try:
        return parse_model(type(definition), data)
    except GraphCrmError as error:
        issues = [
            Issue(issue.code, issue.message, _moved(issue.path, at)) for issue in error.issues
        ]
        raise_issues(type(error), issues)
        raise


def _moved(path: tuple[PathPart, ...], at: tuple[PathPart, ...]) -> tuple[PathPart, ...]:
    if at and path and path[0] in ("properties", "labelProperty"):
        return at
    return path
