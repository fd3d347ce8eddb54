"""What a report says about one target: the reasons behind its score, its one-line
explanation and the tier rule that fired (pure).

>>> urgency_reason(6, 3.66), urgency_reason(2, 4.5), urgency_reason(6, -0.2)
('delay 6d >= buffer 3.7d', 'buffer 4.5d > delay 2d', 'SLA deadline passed 0.2d ago')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graph_crm.impact.money import money, number
from graph_crm.impact.plan import ImpactRow
from graph_crm.impact.policy import TierRule
from graph_crm.impact.report import Component
from graph_crm.impact.rule_words import values_in_words
from graph_crm.model.english import plural


def explain(tier: str, components: Iterable[Component]) -> str:
    """'T1: delay 6d >= buffer 2.1d (+0.50); CNY 412k in 3 Shipments (+0.27)': the reasons
    that weigh something (a signal the policy does not read is never one)."""
    reasons = "; ".join(f"{c.reason} (+{c.contribution:.2f})" for c in components if c.weight > 0)
    return f"{tier}: {reasons}" if reasons else tier


def tier_rule(tier: TierRule, facts: Mapping[str, Any], currency: str | None) -> str:
    """The rule that fired, in words, with the values it saw: 'Breach predicted: the delay
    meets or exceeds the SLA buffer (delay 6 days, SLA buffer 3.7 days)'."""
    shown = values_in_words(tier.when, facts, currency=currency)
    return f"{tier.label}: {tier.rule}" + (f" ({shown})" if shown else "")


def tier_formula(tier: TierRule, facts: Mapping[str, Any]) -> str:
    """The rule that fired as the policy writes it, with its values: 'gapDays >= 0
    (gapDays 2.3)', for the "why" details."""
    formula = tier.formula
    seen = [name for name in facts if name in formula.replace("(", " ").split()]
    shown = ", ".join(f"{name} {number(facts[name])}" for name in seen)
    return formula + (f" ({shown})" if shown else "")


def urgency_reason(delay_days: float, buffer_days: float | None) -> str:
    delay = _days(delay_days)
    if buffer_days is None:
        return "no SLA deadline found"
    if buffer_days < 0:
        return f"SLA deadline passed {_days(-buffer_days)} ago"
    if delay_days >= buffer_days:
        return f"delay {delay} >= buffer {_days(buffer_days)}"
    return f"buffer {_days(buffer_days)} > delay {delay}"


def exposure_reason(row: ImpactRow, noun: str, currency: str | None) -> str:
    count = row.exposure_entities
    return f"{money(row.exposure, currency)} in {count} {noun if count == 1 else plural(noun)}"


def complaints_reason(count: int, window_days: int) -> str:
    return f"{count} complaint{'' if count == 1 else 's'} in {window_days}d"


def _days(value: float) -> str:
    return f"{number(value)}d"
