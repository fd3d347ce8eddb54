"""A ranked, explained impact report: what every renderer (table, md, csv, json, html) shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

#: The signals a policy may read, in the order reports show them.
SIGNALS: Final = ("sla", "exposure", "complaints")


@dataclass(frozen=True, slots=True)
class Component:
    """One score component: its normalised value in [0, 1], weight and contribution."""

    name: str  # "urgency", "exposure", "complaints"
    value: float
    weight: float
    contribution: float  # value * weight
    reason: str  # e.g. "delay 6d > buffer 4d", "412k in 3 shipments"


@dataclass(frozen=True, slots=True)
class TierInfo:
    """A tier as the policy defines it, in rank order (for legends and totals)."""

    tier: str  # e.g. "T1"
    label: str  # e.g. "Breach predicted"
    rule: str  # its condition in words: "the delay meets or exceeds the SLA buffer"
    formula: str = ""  # its condition as the policy writes it: "gapDays >= 0", "otherwise"


@dataclass(frozen=True, slots=True)
class RankedTarget:
    rank: int
    target: str  # global id
    label: str  # a display name (the target's name property, else its key)
    tier: str  # e.g. "T1"
    tier_label: str  # e.g. "Breach predicted"
    #: The rule that fired, in words, with the values it saw: "Breach predicted: the delay
    #: meets or exceeds the SLA buffer (delay 6 days, SLA buffer 3.7 days)".
    tier_rule: str
    score: float
    components: tuple[Component, ...]
    sla_buffer_days: float | None
    sla_deadline: datetime | None
    sla_entity: str | None
    breach_predicted: bool
    complaints: int
    exposure: float
    exposure_entities: int
    path_count: int
    paths: tuple[tuple[str, ...], ...]
    actions: tuple[str, ...]
    explanation: str  # one line: "T1: delay 6d > buffer 4d (+0.50); 412k in 3 shipments (+0.22)"
    #: The rule that fired as the policy writes it, with its values: "gapDays >= 0 (gapDays 2.3)".
    tier_formula: str = ""


@dataclass(frozen=True, slots=True)
class Totals:
    affected: int
    exposure_at_risk: float
    predicted_breaches: int
    by_tier: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImpactReport:
    policy: str
    #: The registry's version when the report ran (it counts every type and policy change).
    registry_version: int
    source: str  # global id
    source_label: str
    delay_days: float
    as_of: datetime
    targets: tuple[RankedTarget, ...]  # ranked; cut to the limit asked
    totals: Totals  # over every affected target, not only those listed
    truncated: bool  # more targets than the limit
    policy_description: str = ""
    tiers: tuple[TierInfo, ...] = ()
    #: Display labels (name property, else key) for the source, the listed targets and
    #: every entity on their paths: what renderers show instead of bare ids.
    labels: dict[str, str] = field(default_factory=dict)
    #: The policy's own revision (1 when defined, +1 on each alter that changes it).
    policy_revision: int = 1
    #: The ISO 4217 code of every amount, when the policy names one (else none is shown).
    currency: str | None = None
    #: The signals the policy reads, of "sla", "exposure", "complaints": what it does not
    #: read, a report neither scores nor shows.
    signals: tuple[str, ...] = SIGNALS
    #: True when no as-of time was asked for and the report ran as of "now".
    as_of_is_now: bool = False
