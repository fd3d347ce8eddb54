"""Input paths for name errors in definitions.

The model's name checks run inside pydantic validators, which raise the project's
errors without a path. Running the same checks here first, field by field, gives the
client the offending field (``("properties", 2, "name")``); the store still validates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graph_crm.errors import GraphCrmError, PathPart
from graph_crm.model.names import (
    check_entity_type_name,
    check_enum_value,
    check_property_name,
    check_relation_type_name,
)

_Check = tuple[tuple[PathPart, ...], Callable[[object], str], object]


def check_definition_names(definition: Mapping[str, Any], *, relation: bool) -> None:
    """Raise the first name error of a definition, located at its input path."""
    checks: list[_Check] = [
        (
            ("name",),
            check_relation_type_name if relation else check_entity_type_name,
            definition["name"],
        )
    ]
    if relation:
        checks += [((end,), check_entity_type_name, definition[end]) for end in ("from", "to")]
    for index, spec in enumerate(definition.get("properties", ())):
        checks.append((("properties", index, "name"), check_property_name, spec["name"]))
        for position, value in enumerate(spec.get("values", ())):
            checks.append((("properties", index, "values", position), check_enum_value, value))
    for path, check, value in checks:
        try:
            check(value)
        except GraphCrmError as error:
            raise type(error)(error.message, path=path) from None
