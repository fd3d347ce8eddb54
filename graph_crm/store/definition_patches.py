"""Patch-style definition changes: one property added, altered or dropped, or a type's
own fields changed, without resending the rest of the type.

Each is turned into the whole definition it makes (pure, :mod:`graph_crm.model.type_patch`)
against the registry it applies to (so a batch may define a type and then patch it),
then judged and recorded exactly as the ALTER_ENTITY_TYPE or ALTER_RELATION_TYPE it
amounts to: one registry change, its audit record, the same evolution rules. As data
(a :class:`~graph_crm.store.definitions.DefinitionOperation`'s ``definition``):

- ADD_PROPERTY, ALTER_PROPERTY: ``{"type": "Warehouse", "property": {...}}``
- DROP_PROPERTY: ``{"type": "Warehouse", "name": "capacity"}``
- ALTER_TYPE_DETAILS: ``{"type": "Warehouse", "label": "仓库"}`` (only the fields given
  change; null clears one)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graph_crm.clock import utc_now
from graph_crm.errors import GraphCrmError, InvalidInput, Issue, PathPart, raise_issues
from graph_crm.model.names import check_property_name
from graph_crm.model.registry import ChangeKind, Registry
from graph_crm.model.type_patch import (
    DETAIL_FIELDS,
    patch_target,
    with_details,
    with_property_added,
    with_property_dropped,
    with_property_replaced,
)
from graph_crm.model.types import EntityType, PropertySpec, RelationType, parse_model
from graph_crm.store.definition_change import (
    DefinitionChange,
    PatchKind,
    Step,
    backfill_of,
)


def add_property(data: Mapping[str, Any], actor: str) -> DefinitionChange:
    type_name, spec = _type_name(data), _property(data)
    return _patch(
        PatchKind.ADD_PROPERTY, type_name, actor, ("property",), spec, with_property_added
    )


def alter_property(data: Mapping[str, Any], actor: str) -> DefinitionChange:
    type_name, spec = _type_name(data), _property(data)
    return _patch(
        PatchKind.ALTER_PROPERTY, type_name, actor, ("property",), spec, with_property_replaced
    )


def drop_property(data: Mapping[str, Any], actor: str) -> DefinitionChange:
    type_name = _type_name(data)
    _only(data, {"type", "name"})
    name = data.get("name")
    try:
        check_property_name(name)
    except GraphCrmError as error:
        raise type(error)(error.message, path=("name",)) from None
    return _patch(PatchKind.DROP_PROPERTY, type_name, actor, ("name",), name, with_property_dropped)


def alter_type_details(data: Mapping[str, Any], actor: str) -> DefinitionChange:
    type_name = _type_name(data)
    _only(data, {"type", *DETAIL_FIELDS})
    details = {key: value for key, value in data.items() if key != "type"}
    return _patch(PatchKind.ALTER_TYPE_DETAILS, type_name, actor, (), details, with_details)


def _patch(
    kind: PatchKind,
    type_name: str,
    actor: str,
    at: tuple[PathPart, ...],
    argument: Any,
    patched: Callable[[Any, Any], EntityType | RelationType],
) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Step:
        before = patch_target(registry, type_name)
        new = patched(before, argument)
        try:
            if isinstance(new, EntityType):
                after, change, alteration = registry.alter_entity_type(
                    new, populated=populated, actor=actor, at=utc_now()
                )
            else:
                after, change, alteration = registry.alter_relation_type(
                    new, populated=populated, actor=actor, at=utc_now()
                )
        except GraphCrmError as error:
            # the evolution rules point at ("properties", <name>), a definition's checks
            # at ("properties", <index>, <field>, ...): here, the patch's input
            issues = [
                Issue(i.code, i.message, _patch_path(i.path, at, new, argument))
                for i in error.issues
            ]
            raise_issues(type(error), issues)
            raise
        return Step(after, change, backfill_of(new, alteration, before))

    def locate(registry: Registry, path: tuple[PathPart, ...]) -> tuple[PathPart, ...]:
        return _patch_path(path, at, patch_target(registry, type_name), argument)

    return DefinitionChange(kind, type_name, rule, resolve=_resolver(type_name), locate=locate)


def _patch_path(
    path: tuple[PathPart, ...],
    at: tuple[PathPart, ...],
    new: EntityType | RelationType,
    argument: Any,
) -> tuple[PathPart, ...]:
    """``path`` of the whole definition as a path in the patch: what is wrong inside the
    patched property keeps its field (``("property", "computed")``); anything else about
    the type's properties is the patch's argument (``at``)."""
    if path[:1] != ("properties",):
        return path
    if isinstance(argument, PropertySpec) and len(path) > 2:
        names = [spec.name for spec in new.properties]
        index = names.index(argument.name) if argument.name in names else None
        if path[1] in (index, str(index), argument.name):
            return (*at, *path[2:])
    return at


def _resolver(type_name: str) -> Callable[[Registry], ChangeKind]:
    def resolve(registry: Registry) -> ChangeKind:
        if isinstance(patch_target(registry, type_name), EntityType):
            return ChangeKind.ALTER_ENTITY_TYPE
        return ChangeKind.ALTER_RELATION_TYPE

    return resolve


def _type_name(data: Any) -> str:
    if not isinstance(data, Mapping):
        raise InvalidInput("a patch is an object naming its type")
    name = data.get("type")
    if not isinstance(name, str) or not name:
        raise InvalidInput("name the entity type or relation type to change", path=("type",))
    if len(name) > 64 or not name.isascii() or not name.replace("_", "").isalnum():
        raise InvalidInput(f"{name[:80]!r} is not an entity or relation type name", path=("type",))
    return name


def _property(data: Mapping[str, Any]) -> PropertySpec:
    _only(data, {"type", "property"})
    raw = data.get("property")
    if not isinstance(raw, Mapping | PropertySpec):
        raise InvalidInput("give the property's definition", path=("property",))
    try:
        return parse_model(PropertySpec, raw)
    except GraphCrmError as error:
        issues = [Issue(i.code, i.message, ("property", *i.path)) for i in error.issues]
        raise_issues(type(error), issues)
        raise


def _only(data: Mapping[str, Any], allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise InvalidInput(f"unexpected field {str(key)[:80]!r}", path=(str(key)[:80],))
