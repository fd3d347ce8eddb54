"""The logistics test schema as a pure Registry (no store), for policy and ranking tests.

It holds the validators a store hands its registries, so policies guard type changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from graph_crm.impact.policy_registry import REGISTRY_VALIDATORS
from graph_crm.model.registry import Registry
from graph_crm.model.types import parse_entity_type, parse_relation_type
from tests.contract.logistics import ENTITY_TYPES, RELATION_TYPES

AT = datetime(2026, 1, 1, tzinfo=UTC)


@cache
def logistics_registry() -> Registry:
    return registry_of(ENTITY_TYPES)


def registry_of(entity_types: list[dict[str, Any]]) -> Registry:
    """The logistics relation types over ``entity_types`` (the logistics ones, changed)."""
    registry = Registry(validators=REGISTRY_VALIDATORS)
    for definition in entity_types:
        registry, _ = registry.define_entity_type(parse_entity_type(definition), actor="t", at=AT)
    for definition in RELATION_TYPES:
        registry, _ = registry.define_relation_type(
            parse_relation_type(definition), actor="t", at=AT
        )
    return registry
