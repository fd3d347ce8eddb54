"""How many entities and relations a store holds, and how relations spread over entities.

What the API's cost estimate prices work from (:mod:`graph_crm.api.work_price`): a
hop along a relation from some entities reaches, on average, ``edges / near ends``
entities per entity that has the relation at all, and never more than the largest
degree.

>>> stats = DegreeStats(
...     entities={"Warehouse": 2, "Shipment": 5},
...     relations={"SHIPPED_VIA": RelationDegrees(edges=5, from_ends=5, to_ends=2,
...                                               max_out=1, max_in=4)},
... )
>>> stats.fan_out("SHIPPED_VIA", Direction.IN)
FanOut(average=2.5, most=4)
>>> stats.fan_out("SHIPPED_VIA", Direction.BOTH)
FanOut(average=3.5, most=5)
>>> stats.fan_out("NOT_DEFINED", Direction.OUT)
FanOut(average=0.0, most=0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graph_crm.model.direction import Direction


class FanOut(NamedTuple):
    #: Relations per entity that has one (0 when there are none).
    average: float
    #: The most relations one entity has.
    most: int


@dataclass(frozen=True, slots=True)
class RelationDegrees:
    """One relation type: its relations and how they spread over the two ends."""

    edges: int = 0
    #: Distinct entities with at least one such relation at its from / to end.
    from_ends: int = 0
    to_ends: int = 0
    #: The most such relations one entity has at its from / to end.
    max_out: int = 0
    max_in: int = 0

    def fan_out(self, direction: Direction) -> FanOut:
        """Followed ``direction``-wise from an entity at the near end."""
        outward = FanOut(self.edges / self.from_ends if self.from_ends else 0.0, self.max_out)
        inward = FanOut(self.edges / self.to_ends if self.to_ends else 0.0, self.max_in)
        if direction is Direction.OUT:
            return outward
        if direction is Direction.IN:
            return inward
        return FanOut(outward.average + inward.average, outward.most + inward.most)


@dataclass(frozen=True, slots=True)
class DegreeStats:
    """Entities per entity type, and :class:`RelationDegrees` per relation type."""

    entities: Mapping[str, int] = field(default_factory=dict)
    relations: Mapping[str, RelationDegrees] = field(default_factory=dict)

    def fan_out(self, relation: str, direction: Direction) -> FanOut:
        return self.relations.get(relation, RelationDegrees()).fan_out(direction)

    def edges(self, relation: str) -> int:
        return self.relations.get(relation, RelationDegrees()).edges

    def count(self, entity_type: str) -> int:
        return self.entities.get(entity_type, 0)


def from_rows(
    rows: Iterable[Sequence[Any]],
    entity_types: Iterable[str] = (),
    relation_types: Iterable[str] = (),
) -> DegreeStats:
    """Rows of (way, name, ends, edges, most) as both stores' queries return them: way
    ``"ENTITY"`` (ends = the type's entities), ``"OUT"`` or ``"IN"`` (a relation type
    seen from its from / to end). The types named but absent from the rows count 0.

    >>> from_rows([("ENTITY", "A", 3, 0, 0), ("OUT", "R", 2, 4, 3), ("IN", "R", 1, 4, 4)])
    ... # doctest: +NORMALIZE_WHITESPACE
    DegreeStats(entities={'A': 3}, relations={'R': RelationDegrees(edges=4, from_ends=2,
                to_ends=1, max_out=3, max_in=4)})
    """
    entities: dict[str, int] = dict.fromkeys(entity_types, 0)
    outward: dict[str, tuple[int, int, int]] = {}
    inward: dict[str, tuple[int, int, int]] = {}
    for way, name, ends, edges, most in rows:
        if way == "ENTITY":
            entities[name] = int(ends)
        else:
            (outward if way == "OUT" else inward)[name] = (int(ends), int(edges), int(most or 0))
    relations = {
        name: RelationDegrees(
            edges=max(outward.get(name, (0, 0, 0))[1], inward.get(name, (0, 0, 0))[1]),
            from_ends=outward.get(name, (0, 0, 0))[0],
            to_ends=inward.get(name, (0, 0, 0))[0],
            max_out=outward.get(name, (0, 0, 0))[2],
            max_in=inward.get(name, (0, 0, 0))[2],
        )
        for name in sorted({*outward, *inward, *relation_types})
    }
    return DegreeStats(dict(sorted(entities.items())), relations)
