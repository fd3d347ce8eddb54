"""``DateTime`` as the project writes it everywhere: UTC, microseconds, a ``Z``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition

from graph_crm.model.types import PropertyKind, PropertySpec
from graph_crm.model.values import coerce_value, datetime_to_text


def _parse(value: Any) -> datetime:
    parsed: datetime = coerce_value(PropertySpec(name="value", kind=PropertyKind.DATETIME), value)
    return parsed


DATETIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 date-time in UTC, e.g. 2026-11-23T09:30:00.000000Z.",
    serialize=datetime_to_text,
    parse_value=_parse,
)
#: Python types the core schema maps to its own scalars.
SCALAR_MAP: dict[object, ScalarDefinition] = {datetime: DATETIME}
