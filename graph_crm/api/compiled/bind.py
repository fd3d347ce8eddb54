"""A compiled query bound to one request: its arguments read from the variables and
checked exactly as the resolvers check them, giving the store's :class:`ReadPlan`.

Arguments are coerced by graphql-core from the field's definition (defaults, variables,
the typed scalars' parsing), then handed to the very functions the resolvers call
(:func:`~graph_crm.api.typed.translate.where_argument`, ``check_first`` with the role's
page size, the store's listing and filter checks). A refusal raises the resolvers'
error; the caller then lets the resolvers answer, so the error reads the same.
"""

from __future__ import annotations

from typing import Any

from graphql.execution.values import VariableValues, get_argument_values

from graph_crm.api.compiled.shape import Field, Shape, What
from graph_crm.api.limits import check_first
from graph_crm.api.typed.translate import order_to_data, where_argument
from graph_crm.model.direction import Direction
from graph_crm.model.entity_keys import lookup_key
from graph_crm.model.query import check_filter, check_order
from graph_crm.model.registry import Registry
from graph_crm.store.listing import plan_entity_listing
from graph_crm.store.reads.plan import (
    EDGES,
    PAGE_INFO,
    EntityRead,
    Group,
    LookupRoot,
    NodeOut,
    PageRoot,
    ReadPlan,
    RelationRead,
    Value,
)


def bind(shape: Shape, registry: Registry, variables: VariableValues, page_size: int) -> ReadPlan:
    """``shape`` with ``variables`` (coerced) for a caller whose pages hold ``page_size``."""
    return _Binder(registry, variables, page_size).plan(shape)


class _Binder:
    def __init__(self, registry: Registry, variables: VariableValues, page_size: int) -> None:
        self.registry = registry
        self.variables = variables
        self.page_size = page_size
        self.slots = 0

    def plan(self, shape: Shape) -> ReadPlan:
        roots: list[LookupRoot | PageRoot | Value] = []
        for field in shape.roots:
            if field.what is What.VALUE:
                roots.append(self.value(field))
            elif field.what is What.LOOKUP:
                key = lookup_key(self.arguments(field)["key"], ("key",))
                roots.append(LookupRoot(field.key, key, self.entity(field)))
            else:
                roots.append(self.page(field))
        return ReadPlan(tuple(roots))

    def page(self, field: Field) -> PageRoot:
        args = self.arguments(field)
        listing = plan_entity_listing(
            self.registry,
            field.entity_type,
            where=where_argument(self.registry, field.entity_type, args.get("where")),
            order_by=order_to_data(args.get("orderBy")),
            first=check_first(args["first"], self.page_size),
            after=args.get("after"),
        )
        outputs: list[Value | Group] = []
        for part in field.children:
            if part.what is What.VALUE:
                outputs.append(self.value(part))
            else:
                source = EDGES if part.what is What.PAGE_EDGES else PAGE_INFO
                outputs.append(Group(part.key, source, self.group(part)))
        return PageRoot(field.key, listing, tuple(outputs))

    def group(self, field: Field) -> tuple[Value | NodeOut, ...]:
        return tuple(
            NodeOut(part.key, self.entity(part)) if part.what is What.NODE else self.value(part)
            for part in field.children
        )

    def entity(self, field: Field) -> EntityRead:
        """What ``field`` (a lookup, a page's or an edge's ``node``, a relation list)
        shows of each entity it holds."""
        entity_type = self.registry.entity_type(field.entity_type)
        return EntityRead(entity_type, self.entity_outputs(field))

    def relation(self, field: Field) -> RelationRead:
        assert field.relation is not None
        rel = field.relation
        far_type = self.registry.entity_type(rel.far_type)
        args = self.arguments(field)
        first = check_first(args["first"], self.page_size)
        where = where_argument(self.registry, far_type.name, args.get("where"))
        self.slots += 1
        slot = self.slots
        node = edge = None
        if field.what is What.RELATION:
            node = EntityRead(far_type, self.entity_outputs(field))
        else:
            edge = self.group(field)
        return RelationRead(
            key=field.key,
            slot=slot,
            relation=self.registry.relation_type(rel.relation),
            direction=Direction(rel.direction),
            far_type=far_type,
            where=check_filter(far_type, where, ("where",), registry=self.registry),
            order=check_order(far_type, order_to_data(args.get("orderBy"))),
            first=first,
            node=node,
            edge=edge,
        )

    def entity_outputs(self, field: Field) -> tuple[Value | RelationRead, ...]:
        return tuple(
            self.value(part) if part.what is What.VALUE else self.relation(part)
            for part in field.children
        )

    @staticmethod
    def value(field: Field) -> Value:
        assert field.source is not None
        spec = field.spec
        if spec is None:
            return Value(field.key, field.source, field.name)
        values = frozenset(spec.values) if spec.values else None
        return Value(field.key, field.source, spec.name, spec.kind, values, spec.required)

    def arguments(self, field: Field) -> dict[str, Any]:
        assert field.definition is not None
        return get_argument_values(field.definition, field.node, self.variables)
