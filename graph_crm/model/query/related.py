"""Relation quantifiers in filters: linked to some / no entity that passes a filter.

A filter key naming a relation type (UPPER_SNAKE; property names are camelCase)
holds an optional ``direction`` (``OUT``, the default: the filtered entity is the
relation's ``from`` end; ``IN``: its ``to`` end) and exactly one of ``some`` /
``none``: a filter on the entity at the other end, ``{}`` for any entity::

    {"HAS_SUBSIDIARY": {"some": {"country": {"eq": "CN"}}}}
    {"MENTIONS": {"direction": "IN", "none": {}}}

A quantifier is never unknown: ``some`` holds when at least one far entity passes
its filter (is true, not unknown), ``none`` when not one does; so under ``not`` it
behaves as a boolean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from graph_crm.errors import InvalidInput, PathPart, UnknownType
from graph_crm.model.direction import Direction
from graph_crm.model.query.evaluation import evaluate
from graph_crm.model.query.filters import Filter, Quantifier, Related
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType, _TypeDefinition

Node = TypeVar("Node")
#: Parses the filter of a quantifier against the far entity type, at a path.
FarParser = Callable[[EntityType, Mapping[str, Any], tuple[PathPart, ...]], Filter]

_FIELDS = ("direction", *(q.value for q in Quantifier))


def parse_related(
    registry: Registry,
    definition: _TypeDefinition,
    name: str,
    body: Any,
    path: tuple[PathPart, ...],
    parse_far: FarParser,
) -> Related:
    """Check ``{name: body}`` as a quantifier on entities of ``definition``.

    >>> from graph_crm.model.types import EntityType, RelationType
    >>> registry = Registry.from_definitions(
    ...     1, [EntityType(name="Customer"), EntityType(name="Subsidiary")],
    ...     [RelationType(name="HAS_SUBSIDIARY", from_type="Customer", to_type="Subsidiary")])
    >>> related = parse_related(registry, registry.entity_type("Subsidiary"), "HAS_SUBSIDIARY",
    ...     {"direction": "IN", "none": {}}, ("where", "HAS_SUBSIDIARY"), parse_far=None)
    >>> related.quantifier.value, related.far_type, related.filter
    ('none', 'Customer', None)
    """
    relation = registry.relation_types.get(name)
    if relation is None:
        raise UnknownType(f"there is no relation type {name[:80]!r}", path=path)
    if not isinstance(body, Mapping):
        raise InvalidInput(
            f'{name}: give {{"some": {{...}}}} or {{"none": {{...}}}}, '
            'optionally with "direction": "OUT" or "IN"',
            path=path,
        )
    unknown = sorted(str(key)[:40] for key in body if key not in _FIELDS)
    if unknown:
        raise InvalidInput(
            f"{name}: unknown field(s) {', '.join(unknown)}; use direction, some or none",
            path=(*path, unknown[0]),
        )
    direction = _direction(body.get("direction"), (*path, "direction"))
    # Nulls mean "not given", as GraphQL clients send them for unset inputs.
    given = [q for q in Quantifier if body.get(q.value) is not None]
    if len(given) != 1:
        raise InvalidInput(f"{name}: give exactly one of some / none", path=path)
    quantifier = given[0]
    near, far = (
        (relation.from_type, relation.to_type)
        if direction is Direction.OUT
        else (relation.to_type, relation.from_type)
    )
    if near != definition.name:
        raise InvalidInput(
            f"{name} goes from {relation.from_type} to {relation.to_type}: followed "
            f"{direction.value} it starts at {near}, not at {definition.name}",
            path=path,
        )
    raw = body[quantifier.value]
    here = (*path, quantifier.value)
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{name}: {quantifier.value} takes a filter object", path=here)
    far_type = registry.entity_type(far)
    flt = parse_far(far_type, raw, here) if raw else None
    return Related(relation.name, direction, quantifier, far_type.name, flt)


def _direction(raw: Any, path: tuple[PathPart, ...]) -> Direction:
    if raw is None:
        return Direction.OUT
    name = raw.upper() if isinstance(raw, str) else None
    if name not in (Direction.OUT, Direction.IN):
        raise InvalidInput("direction is OUT or IN", path=path)
    return Direction(name)


def quantify(related: Related, passes: Iterable[bool | None]) -> bool:
    """A quantifier's truth, from its filter's result on each far entity.

    >>> quantify(Related("R", Direction.OUT, Quantifier.NONE, "T", None), [None, False])
    True
    """
    found = any(result is True for result in passes)
    return found if related.quantifier is Quantifier.SOME else not found


def evaluate_in_graph(
    flt: Filter,
    node: Node,
    fields_of: Callable[[Node], Mapping[str, Any]],
    far_ends: Callable[[Node, Related], Iterable[Node]],
) -> bool | None:
    """:func:`~graph_crm.model.query.evaluation.evaluate` on ``node`` of an in-memory graph.

    ``far_ends(node, related)`` lists the entities ``related`` links ``node`` to
    (each once per relation; relation types have one ``from`` and one ``to`` type).

    >>> from graph_crm.model.query import Compare, Op
    >>> from graph_crm.model.types import PropertyKind
    >>> wrote = Related("WROTE", Direction.OUT, Quantifier.SOME, "ChatLog",
    ...     Compare("text", PropertyKind.STRING, Op.CONTAINS, "Globex"))
    >>> graph = {"B1": ["L1", "L2"], "L1": [], "L2": []}
    >>> fields = {"B1": {}, "L1": {"text": "Initech"}, "L2": {"text": "Globex again"}}
    >>> evaluate_in_graph(wrote, "B1", fields.__getitem__, lambda n, r: graph[n])
    True
    """

    def check(related: Related) -> bool:
        ends = far_ends(node, related)
        inner = related.filter
        if inner is None:
            return quantify(related, (True for _ in ends))
        return quantify(
            related, (evaluate_in_graph(inner, far, fields_of, far_ends) for far in ends)
        )

    return evaluate(flt, fields_of(node), check)
