"""What names an entity for people: its type's label property, else its key.

A type names its label property (``labelProperty``); a type that does not is named by
the first STRING property among ``name``, ``title`` and ``label``, if it has one.
"""

from __future__ import annotations

from typing import Final

from graph_crm.model.types import EntityType, PropertyKind

#: Properties that name an entity when its type names none, in order of preference; the
#: first STRING one counts.
LABEL_PROPERTIES: Final = ("name", "title", "label")


def label_property(entity_type: EntityType) -> str | None:
    """The property that names entities of this type, if it has one.

    >>> from graph_crm.model.types import parse_entity_type
    >>> label_property(parse_entity_type({"name": "Port", "properties": [
    ...     {"name": "title", "kind": "STRING"}, {"name": "name", "kind": "INT"}]}))
    'title'
    >>> label_property(parse_entity_type({"name": "Employee", "labelProperty": "fullName",
    ...     "properties": [{"name": "title", "kind": "STRING"},
    ...                    {"name": "fullName", "kind": "STRING"}]}))
    'fullName'
    """
    if entity_type.label_property is not None:
        return entity_type.label_property
    for name in LABEL_PROPERTIES:
        spec = entity_type.spec(name)
        if spec is not None and spec.kind is PropertyKind.STRING:
            return name
    return None
