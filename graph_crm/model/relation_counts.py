"""How many relations of each type touch each of a batch of entities, both ways (pure).

The console's record view shows them before it expands a node. Every relation type
whose from or to type is the entity's type has a slot per direction it touches (a
relation type from a type to itself has two), zero counts included, so a client sees
every relation it could follow. A backend counts the slots of :func:`plan_relation_counts`
in one statement and :meth:`RelationCountPlan.spread` answers with them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graph_crm.errors import InvalidInput, LimitExceeded, UnknownType
from graph_crm.model.direction import Direction
from graph_crm.model.records import MAX_BATCH, parse_global_id
from graph_crm.model.registry import Registry


@dataclass(frozen=True, slots=True)
class RelationSlot:
    """One relation type seen from one end: which way it goes, and the type at the other."""

    relation: str
    direction: Direction
    other_type: str


@dataclass(frozen=True, slots=True)
class RelationCount:
    relation: str
    direction: Direction
    other_type: str
    count: int


def relation_slots(registry: Registry, type_name: str) -> tuple[RelationSlot, ...]:
    """The relation types touching ``type_name``, by name, OUT before IN.

    >>> from datetime import UTC, datetime
    >>> from graph_crm.model.types import parse_entity_type, parse_relation_type
    >>> r, now = Registry(), datetime.now(UTC)
    >>> for name in ("Customer", "Buyer"):
    ...     r, _ = r.define_entity_type(parse_entity_type({"name": name}), actor="t", at=now)
    >>> pairs = {"PARENT_OF": ("Customer", "Customer"), "BUYS_FOR": ("Buyer", "Customer")}
    >>> for name, (a, b) in pairs.items():
    ...     rel = parse_relation_type({"name": name, "from": a, "to": b})
    ...     r, _ = r.define_relation_type(rel, actor="t", at=now)
    >>> [(s.relation, s.direction.value, s.other_type) for s in relation_slots(r, "Customer")]
    [('BUYS_FOR', 'IN', 'Buyer'), ('PARENT_OF', 'OUT', 'Customer'), ('PARENT_OF', 'IN', 'Customer')]
    """
    slots: list[RelationSlot] = []
    for name, relation in sorted(registry.relation_types.items()):
        if relation.from_type == type_name:
            slots.append(RelationSlot(name, Direction.OUT, relation.to_type))
        if relation.to_type == type_name:
            slots.append(RelationSlot(name, Direction.IN, relation.from_type))
    return tuple(slots)


@dataclass(frozen=True)
class RelationCountPlan:
    """A checked count: ``asked`` the (type, key) of each id in the order given, ``keys``
    the distinct keys of each type asked, ``slots`` each type's slots."""

    asked: tuple[tuple[str, str], ...]
    keys: Mapping[str, tuple[str, ...]]
    slots: Mapping[str, tuple[RelationSlot, ...]]

    def spread(self, found: Mapping[tuple[str, str], Sequence[int]]) -> list[list[RelationCount]]:
        """One list per id asked (``[]`` for an absent entity) from ``found``: each
        present entity's counts, by (type, key), in its type's slot order."""
        answers: list[list[RelationCount]] = []
        for type_name, key in self.asked:
            counts = found.get((type_name, key))
            slots = self.slots[type_name]
            if counts is None or len(counts) != len(slots):
                answers.append([])
                continue
            answers.append(
                [
                    RelationCount(s.relation, s.direction, s.other_type, int(n))
                    for s, n in zip(slots, counts, strict=True)
                ]
            )
        return answers


def plan_relation_counts(registry: Registry, ids: Sequence[str]) -> RelationCountPlan:
    """Check the ids (global ids of known types, at most :data:`MAX_BATCH`).

    >>> from datetime import UTC, datetime
    >>> from graph_crm.model.types import parse_entity_type
    >>> r, _ = Registry().define_entity_type(
    ...     parse_entity_type({"name": "Customer"}), actor="t", at=datetime.now(UTC))
    >>> plan = plan_relation_counts(r, ["Customer:A", "Customer:B", "Customer:A"])
    >>> plan.keys, plan.spread({("Customer", "A"): []})
    ({'Customer': ('A', 'B')}, [[], [], []])
    """
    if isinstance(ids, str | bytes | Mapping) or not isinstance(ids, Sequence):
        raise InvalidInput("ids must be a list of global ids", path=("ids",))
    if len(ids) > MAX_BATCH:
        raise LimitExceeded(f"ids holds at most {MAX_BATCH} ids", path=("ids",))
    asked: list[tuple[str, str]] = []
    keys: dict[str, dict[str, None]] = {}
    for index, gid in enumerate(ids):
        type_name, key = parse_global_id(gid, ("ids", index))
        if type_name not in registry.entity_types:
            raise UnknownType(f"there is no entity type {type_name!r}", path=("ids", index))
        asked.append((type_name, key))
        keys.setdefault(type_name, {})[key] = None
    return RelationCountPlan(
        asked=tuple(asked),
        keys={name: tuple(found) for name, found in keys.items()},
        slots={name: relation_slots(registry, name) for name in keys},
    )
