"""One recorded registry change, and the kinds of definitions the registry stores (pure).

A change is what the stores persist beside the definitions (and what an export
carries): who, when, which definition, before and after as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from graph_crm.model.types import _TypeDefinition
from graph_crm.model.values import datetime_to_text


class ChangeKind(StrEnum):
    DEFINE_ENTITY_TYPE = "DEFINE_ENTITY_TYPE"
    ALTER_ENTITY_TYPE = "ALTER_ENTITY_TYPE"
    DROP_ENTITY_TYPE = "DROP_ENTITY_TYPE"
    DEFINE_RELATION_TYPE = "DEFINE_RELATION_TYPE"
    ALTER_RELATION_TYPE = "ALTER_RELATION_TYPE"
    DROP_RELATION_TYPE = "DROP_RELATION_TYPE"
    DEFINE_IMPACT_POLICY = "DEFINE_IMPACT_POLICY"
    ALTER_IMPACT_POLICY = "ALTER_IMPACT_POLICY"
    DROP_IMPACT_POLICY = "DROP_IMPACT_POLICY"

    @property
    def definition_kind(self) -> str:
        """The kind of stored definition this change writes."""
        if "ENTITY" in self.value:
            return ENTITY_TYPE
        return RELATION_TYPE if "RELATION" in self.value else IMPACT_POLICY


#: Kinds of stored definitions, as persisted by the stores and in exports.
ENTITY_TYPE = "entityType"
RELATION_TYPE = "relationType"
IMPACT_POLICY = "impactPolicy"


@dataclass(frozen=True)
class RegistryChange:
    """One recorded definition change; ``version`` is the registry version it made.

    Changes applied together (``apply_definitions`` of the store) make one version: each
    is one ``step`` of it, in the order applied (0 for a version made by one change).
    """

    version: int
    kind: ChangeKind
    name: str
    actor: str
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    step: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "step": self.step,
            "kind": self.kind.value,
            "name": self.name,
            "actor": self.actor,
            "at": datetime_to_text(self.at),
            "before": self.before,
            "after": self.after,
        }

    def to_record(self) -> dict[str, Any]:
        """A flat row for storage: ``before``/``after`` as JSON text."""
        data = self.to_json()
        for side in ("before", "after"):
            data[side] = json.dumps(data[side], ensure_ascii=False) if data[side] else None
        return data

    @classmethod
    def from_record(cls, row: dict[str, Any]) -> RegistryChange:
        data = dict(row)
        for side in ("before", "after"):
            data[side] = json.loads(data[side]) if data.get(side) else None
        return cls.from_json(data)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RegistryChange:
        return cls(
            version=int(data["version"]),
            kind=ChangeKind(data["kind"]),
            name=str(data["name"]),
            actor=str(data["actor"]),
            at=datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00")),
            before=data.get("before"),
            after=data.get("after"),
            # exports and stores from before batches hold one change per version
            step=int(data.get("step") or 0),
        )


def definition_json(definition: _TypeDefinition | dict[str, Any]) -> dict[str, Any]:
    if isinstance(definition, dict):
        return definition  # an impact policy, kept as the JSON its parser produced
    return definition.model_dump(mode="json", by_alias=True)
