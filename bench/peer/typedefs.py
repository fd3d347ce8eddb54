"""The peer's type definitions, generated from graph-crm's registry.

Each entity type becomes a ``@node`` on the labels graph-crm writes
(``cypher/entity_upsert.cypher``: ``:Entity:<Type>``, the type's own label first so the
library matches on it), with the system fields and the properties under graph-crm's
names, and each relation field a ``@relationship`` on the relation type graph-crm writes,
named as graph-crm names it (:func:`graph_crm.model.graphql_names.relation_fields`):
``Customer.hasSubsidiary`` OUT, ``Subsidiary.hasSubsidiaryInverse`` IN. Enums keep graph-crm's
names (``CustomerTier``). The peer is read-only: ``@mutation(operations: [])``.

Not mapped: relation properties (graph-crm's ``…Edges`` fields) and computed properties'
formulas (their stored values are read like any other property).
"""

from __future__ import annotations

from graph_crm.model.graphql_names import enum_names, relation_fields
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType, PropertyKind

#: The library's scalar for each property kind (JSON is stored as text).
PEER_SCALAR = {
    PropertyKind.STRING: "String",
    PropertyKind.INT: "BigInt",
    PropertyKind.FLOAT: "Float",
    PropertyKind.BOOLEAN: "Boolean",
    PropertyKind.DATE: "Date",
    # The library projects a DateTime through apoc.date.convertFormat (bench/peer/apoc.py)
    PropertyKind.DATETIME: "DateTime",
    PropertyKind.JSON: "String",
}
SYSTEM = (("id", "ID!"), ("key", "String!"), ("createdAt", "DateTime"), ("updatedAt", "DateTime"))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _node(registry: Registry, entity_type: EntityType) -> list[str]:
    enums = enum_names(entity_type)
    labels = ", ".join(_quote(label) for label in (entity_type.name, "Entity"))
    lines = [f"type {entity_type.name} @node(labels: [{labels}]) {{"]
    lines += [f"  {name}: {scalar}" for name, scalar in SYSTEM]
    for spec in entity_type.properties:
        scalar = enums[spec.name] if spec.kind is PropertyKind.ENUM else PEER_SCALAR[spec.kind]
        lines.append(f"  {spec.name}: {scalar}")
    for field, relation in relation_fields(registry, entity_type.name).items():
        lines.append(
            f"  {field}: [{relation.far_type}!]! "
            f"@relationship(type: {_quote(relation.relation)}, direction: {relation.direction})"
        )
    lines.append("}")
    return lines


def type_definitions(registry: Registry) -> str:
    """The SDL the peer serves for ``registry``'s entity and relation types."""
    blocks = ["extend schema @mutation(operations: [])"]
    for name in sorted(registry.entity_types):
        entity_type = registry.entity_types[name]
        for spec in entity_type.properties:
            if spec.kind is PropertyKind.ENUM:
                values = " ".join(spec.values)
                blocks.append(f"enum {enum_names(entity_type)[spec.name]} {{ {values} }}")
        blocks.append("\n".join(_node(registry, entity_type)))
    return "\n\n".join(blocks) + "\n"
