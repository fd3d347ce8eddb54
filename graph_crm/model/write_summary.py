"""What a committed write changed, in names only: which entity types (and which of their
properties), which relation types, which impact policies (pure).

A store gathers one after each write of the graph; an impact policy's footprint
(:mod:`graph_crm.impact.footprint`) says whether it can change the policy's report.
Entities created or deleted changed every property (``None``); an entity changed in
place names the properties whose values differ, and ``updatedAt``.

>>> summary = WriteSummary({"Shipment": None}, frozenset({"ROUTED_VIA"}))
>>> summary.names()
('Shipment', 'ROUTED_VIA')
>>> WriteSummary({"Contract": frozenset({"slaDeadline", "updatedAt"})}).names()
('Contract.slaDeadline', 'Contract.updatedAt')
>>> WriteSummary({"Customer": frozenset()}).empty
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

#: The system field every change in place moves.
UPDATED_AT: Final = "updatedAt"

#: Properties by entity type; None: every property (an entity created or deleted).
Changed = Mapping[str, frozenset[str] | None]


@dataclass(frozen=True)
class WriteSummary:
    entities: Changed = field(default_factory=dict)
    #: Relation types linked, unlinked, or whose relations' properties changed.
    relations: frozenset[str] = frozenset()
    #: Impact policies defined, altered or dropped.
    policies: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (
            any(props is None or props for props in self.entities.values())
            or self.relations
            or self.policies
        )

    def names(self) -> tuple[str, ...]:
        """What changed, for people: ``Type`` (created or deleted), ``Type.property``,
        ``RELATION``, ``policy <name>``; sorted within each kind."""
        names: list[str] = []
        for type_name, props in sorted(self.entities.items()):
            if props is None:
                names.append(type_name)
            else:
                names.extend(f"{type_name}.{prop}" for prop in sorted(props))
        names.extend(sorted(self.relations))
        names.extend(f"policy {name}" for name in sorted(self.policies))
        return tuple(names)
