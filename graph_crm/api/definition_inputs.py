"""Inputs of the patch-style and batch definition operations, and their plain-data form
for the store (:mod:`graph_crm.store.definition_patches`)."""

from __future__ import annotations

from typing import Any

import strawberry

from graph_crm.api.input_types import EntityTypeInput, PropertySpecInput, RelationTypeInput
from graph_crm.api.types import LABEL_DESCRIPTION, LABEL_PROPERTY_DESCRIPTION
from graph_crm.errors import InvalidInput
from graph_crm.model.registry import ChangeKind
from graph_crm.store.definitions import DefinitionOperation, OperationKind, PatchKind

TYPE_ARGUMENT = (
    "An entity type or a relation type, by name (PascalCase names an entity type, "
    "UPPER_SNAKE a relation type; a name that is both, e.g. HR, is refused as ambiguous "
    "when the registry holds one of each)."
)


@strawberry.input(description="A type's own fields to change; a field left out is kept.")
class TypeDetailsInput:
    type: str = strawberry.field(description=TYPE_ARGUMENT)
    label: str | None = strawberry.field(
        default=strawberry.UNSET, description=LABEL_DESCRIPTION + " Null clears it."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Null clears it."
    )
    label_property: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=LABEL_PROPERTY_DESCRIPTION + " Entity types only; null clears it.",
    )

    def to_data(self) -> dict[str, Any]:
        given = {
            "label": self.label,
            "description": self.description,
            "labelProperty": self.label_property,
        }
        return {"type": self.type, **{k: v for k, v in given.items() if v is not strawberry.UNSET}}


@strawberry.input(description="One property of a type, by the type's name.")
class PropertyPatchInput:
    type: str = strawberry.field(description=TYPE_ARGUMENT)
    property: PropertySpecInput

    def to_data(self) -> dict[str, Any]:
        return {"type": self.type, "property": self.property.to_data()}


@strawberry.input(description="A property to drop, by the type's name and its own.")
class DropPropertyInput:
    type: str = strawberry.field(description=TYPE_ARGUMENT)
    name: str

    def to_data(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name}


# Exactly one field is checked here rather than with @oneOf, which not every client's
# introspection (and graphql-core's printed schema) knows yet.
@strawberry.input(description="One definition change of a batch: exactly one of its fields.")
class DefinitionOperationInput:
    define_entity_type: EntityTypeInput | None = strawberry.UNSET
    alter_entity_type: EntityTypeInput | None = strawberry.UNSET
    alter_type_details: TypeDetailsInput | None = strawberry.UNSET
    drop_entity_type: str | None = strawberry.UNSET
    define_relation_type: RelationTypeInput | None = strawberry.UNSET
    alter_relation_type: RelationTypeInput | None = strawberry.UNSET
    drop_relation_type: str | None = strawberry.UNSET
    add_property: PropertyPatchInput | None = strawberry.UNSET
    alter_property: PropertyPatchInput | None = strawberry.UNSET
    drop_property: DropPropertyInput | None = strawberry.UNSET

    def to_operation(self, index: int) -> DefinitionOperation:
        """The store's operation, located at ``("operations", index, <field>)``."""
        given = [
            (attribute, value)
            for attribute in _KINDS
            if (value := getattr(self, attribute)) is not strawberry.UNSET and value is not None
        ]
        if len(given) != 1:
            raise InvalidInput(
                f"an operation holds exactly one change; this one holds {len(given)}",
                path=("operations", index),
            )
        [(attribute, value)] = given
        field_name, kind = _KINDS[attribute]
        definition = value if isinstance(value, str) else value.to_data()
        return DefinitionOperation(kind, definition, ("operations", index, field_name))


_KINDS: dict[str, tuple[str, OperationKind]] = {
    "define_entity_type": ("defineEntityType", ChangeKind.DEFINE_ENTITY_TYPE),
    "alter_entity_type": ("alterEntityType", ChangeKind.ALTER_ENTITY_TYPE),
    "alter_type_details": ("alterTypeDetails", PatchKind.ALTER_TYPE_DETAILS),
    "drop_entity_type": ("dropEntityType", ChangeKind.DROP_ENTITY_TYPE),
    "define_relation_type": ("defineRelationType", ChangeKind.DEFINE_RELATION_TYPE),
    "alter_relation_type": ("alterRelationType", ChangeKind.ALTER_RELATION_TYPE),
    "drop_relation_type": ("dropRelationType", ChangeKind.DROP_RELATION_TYPE),
    "add_property": ("addProperty", PatchKind.ADD_PROPERTY),
    "alter_property": ("alterProperty", PatchKind.ALTER_PROPERTY),
    "drop_property": ("dropProperty", PatchKind.DROP_PROPERTY),
}
