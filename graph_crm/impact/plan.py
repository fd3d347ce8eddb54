"""What a backend evaluates for a report: a policy checked against the registry.

A policy (:mod:`graph_crm.impact.policy`) is what a config officer writes; an
:class:`ImpactPlan` is the same policy with every name resolved against the registry
(types, relation directions, property kinds, filters parsed), so a backend can turn it
into one Cypher statement or one networkx walk without checking anything again.

Reach: from the source entity, follow ``steps`` in order; each step is exactly one hop
along one relation type in one direction, landing on entities of ``landing_type`` that
pass ``where``. The entities after the last step are of the policy's target type (or,
with a roll-up, of a type the roll-up climbs from). Steps are numbered from 1; step 0
is the source itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from graph_crm.model.direction import Direction
from graph_crm.model.formula import Formula
from graph_crm.model.query import Filter
from graph_crm.model.types import PropertyKind

#: The most relation steps a policy may chain (the brief's chain needs 5).
MAX_STEPS = 8
#: The most hops a roll-up may climb (subsidiary -> parent -> group ...).
MAX_ROLLUP_HOPS = 5
#: Paths kept per target to explain it (shortest first, then by ids).
PATHS_PER_TARGET = 3
#: The property kinds a deadline (SLA, complaint date) and an amount (exposure) are read from.
DATE_KINDS: Final = (PropertyKind.DATE, PropertyKind.DATETIME)
NUMBER_KINDS: Final = (PropertyKind.INT, PropertyKind.FLOAT)


@dataclass(frozen=True, slots=True)
class PlanStep:
    relation: str
    direction: Direction  # OUT or IN, never BOTH
    landing_type: str
    where: Filter | None = None
    #: A BOOLEAN formula over the landing entity (a ``where`` given as text); may use
    #: the report's ``$asOf`` and ``$delayDays``.
    condition: Formula | None = None


@dataclass(frozen=True, slots=True)
class Rollup:
    """Climb from each reached target to its top ancestor (at most ``max_hops``).

    ``relation`` links a child to its parent in ``direction`` (e.g. PARENT_OF IN); both
    ends are the target type. A target with no parent is its own top.
    """

    relation: str
    direction: Direction
    max_hops: int


@dataclass(frozen=True, slots=True)
class StepProperty:
    """A property of the entities landed on by step ``step`` (1-based)."""

    step: int
    property: str
    kind: PropertyKind


@dataclass(frozen=True, slots=True)
class LinkedProperty:
    """A property of entities linked to the (rolled-up) target by one relation hop."""

    relation: str
    direction: Direction
    far_type: str
    property: str
    kind: PropertyKind
    where: Filter | None = None
    condition: Formula | None = None


@dataclass(frozen=True, slots=True)
class Complaints:
    """Entities linked to the target whose ``date_property`` lies in the window before asOf."""

    relation: str
    direction: Direction
    far_type: str
    date_property: str
    kind: PropertyKind  # DATE or DATETIME
    window_days: int
    where: Filter | None = None
    condition: Formula | None = None


@dataclass(frozen=True, slots=True)
class ImpactPlan:
    policy: str
    version: int
    source_type: str
    target_type: str
    steps: tuple[PlanStep, ...]
    rollup: Rollup | None
    #: A DATE or DATETIME: the earliest one found is the SLA deadline.
    sla: StepProperty | LinkedProperty | None
    #: An INT or FLOAT on a path entity, summed over the distinct entities matched.
    exposure: StepProperty | None
    complaints: Complaints | None


@dataclass(frozen=True, slots=True)
class ImpactRow:
    """What a backend returns per affected (rolled-up) target; identical on every backend.

    ``paths`` are entity ids from the source to the entity the steps reached, then up the
    roll-up to ``target``; at most :data:`PATHS_PER_TARGET`, shortest first, then in id
    order. ``sla_deadline`` is the earliest deadline found (a DATE counts from midnight
    UTC), with the entity holding it. ``exposure`` sums the exposure property over the
    distinct entities at the exposure step (missing values count 0), however many paths
    reach them.
    """

    target: str
    paths: tuple[tuple[str, ...], ...]
    path_count: int
    sla_deadline: datetime | None
    sla_entity: str | None
    complaints: int
    exposure: float
    exposure_entities: int
