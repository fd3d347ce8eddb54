"""Stored rollups kept current, written once: which rollups a write concerns, and which
owners it may have changed (docs/formulas.md, "Rollups").

A write names the entities it touched, by type and key: the entities it created or
changed, both ends of every relation it linked or unlinked, the entities it is about to
delete. A rollup's owners affected are the touched entities of the owner's type, and
those reached from the touched entities further along the path by walking it back, hop
by hop (one statement per hop, for every touched entity at once). A backend walks,
reads the far entities of the affected owners (one statement per rollup) and stores each
owner's value, in the write's own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from graph_crm.model.formula.rollup import Hop
from graph_crm.model.formula.stored import StoredRollup, materialized_rollups
from graph_crm.model.registry import Registry

#: Entity keys by entity type.
Touched = dict[str, set[str]]


@dataclass
class TouchedEntities:
    """What a write touched, gathered as it goes."""

    keys: Touched = field(default_factory=dict)

    def add(self, type_name: str, keys: Iterable[str]) -> None:
        self.keys.setdefault(type_name, set()).update(keys)

    def add_ends(self, from_type: str, to_type: str, pairs: Iterable[Sequence[str]]) -> None:
        pairs = list(pairs)
        self.add(from_type, (pair[0] for pair in pairs))
        self.add(to_type, (pair[1] for pair in pairs))


def rollups_touched(registry: Registry, touched: Mapping[str, set[str]]) -> list[StoredRollup]:
    """The stored rollups whose path goes through a type of which something was touched."""
    return [
        rollup
        for rollup in materialized_rollups(registry)
        if any(touched.get(type_name) for type_name in rollup.types)
    ]


def rollups_on_path(registry: Registry, relation: str) -> bool:
    """Whether a stored rollup's path follows ``relation``."""
    return any(
        hop.relation == relation
        for rollup in materialized_rollups(registry)
        for hop in rollup.rollup.hops
    )


def rollups_over(registry: Registry, type_name: str) -> list[StoredRollup]:
    """The stored rollups whose path goes through ``type_name`` (owner, middle or far)."""
    return [r for r in materialized_rollups(registry) if type_name in r.types]


def walk_back(rollup: StoredRollup) -> list[tuple[int, Hop, str, str]]:
    """The steps that walk the path back from the far end: (level of the far side, the
    hop, its near type, its far type), the far end's first."""
    types = rollup.types
    return [
        (level, rollup.rollup.hops[level - 1], types[level - 1], types[level])
        for level in range(len(types) - 1, 0, -1)
    ]


__all__ = [
    "Touched",
    "TouchedEntities",
    "rollups_on_path",
    "rollups_over",
    "rollups_touched",
    "walk_back",
]
