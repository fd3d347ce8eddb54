"""Impact policies compiled against the registry: what the ranking applies (pure).

:func:`compile_policy` checks a policy's JSON shape (:mod:`~graph_crm.impact.policy_spec`),
resolves every name against the registry (:mod:`~graph_crm.impact.policy_resolve`) and
returns a :class:`Policy`: the :class:`~graph_crm.impact.plan.ImpactPlan` a backend
evaluates plus the scoring, tier rules and response plans the shared ranking applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph_crm.errors import InvalidInput
from graph_crm.impact.conditions import Condition, describe, parse_condition
from graph_crm.impact.plan import ImpactPlan
from graph_crm.impact.plan_check import check_plan
from graph_crm.impact.policy_resolve import PlanResolver
from graph_crm.impact.policy_spec import PolicySpec, parse_policy_spec
from graph_crm.impact.rule_words import in_words
from graph_crm.model.registry import Registry


@dataclass(frozen=True, slots=True)
class Scoring:
    urgency: float
    exposure: float
    complaints: float
    tau_days: float
    exposure_reference: float | None  # None only when exposure is not read or weighs 0
    complaints_reference: int


@dataclass(frozen=True, slots=True)
class TierRule:
    tier: str
    label: str
    when: Condition
    rule: str  # the condition in words: "the delay meets or exceeds the SLA buffer"
    formula: str  # the condition as written: "gapDays >= 0"


@dataclass(frozen=True, slots=True)
class ResponsePlan:
    when: Condition
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    #: The policy's own revision: 1 when defined, +1 on each alter that changes it.
    revision: int
    description: str
    plan: ImpactPlan
    scoring: Scoring
    tiers: tuple[TierRule, ...]
    plans: tuple[ResponsePlan, ...]
    #: What the exposure step's entities are called in reasons ("Shipment").
    exposure_noun: str
    #: The ISO 4217 code of exposure amounts (``signals.exposure.currency``), if named.
    currency: str | None
    #: The checked JSON, as the registry keeps it.
    definition: dict[str, Any]


def compile_policy(registry: Registry, raw: Any, *, version: int | None = None) -> Policy:
    """Check ``raw`` (policy JSON) against ``registry``; see the module docstring."""
    spec = parse_policy_spec(raw)
    plan = PlanResolver(registry).plan(spec, registry.version if version is None else version)
    check_plan(registry, plan)  # the evaluators' own check: both must agree
    scoring, exposure_spec = spec.scoring, spec.signals.exposure
    weights = scoring.weights
    assert weights is not None  # parse_policy_spec completes them
    currency = None if exposure_spec is None else exposure_spec.currency
    tiers = tuple(
        TierRule(
            tier.tier,
            tier.label,
            cond := parse_condition(tier.when, ("tiers", i, "when"), late=False),
            in_words(cond, currency=currency),
            describe(cond),
        )
        for i, tier in enumerate(spec.tiers)
    )
    plans = tuple(
        ResponsePlan(parse_condition(item.when, ("plans", i, "when")), tuple(item.actions))
        for i, item in enumerate(spec.plans)
    )
    _check_tiers(spec, tiers)  # after the plans parse: it reads their raw conditions
    exposure = plan.exposure
    noun = "entity" if exposure is None else ([plan.source_type] + _landings(plan))[exposure.step]
    return Policy(
        name=spec.name,
        revision=spec.revision or 1,
        description=spec.description,
        plan=plan,
        scoring=Scoring(
            weights.urgency,
            weights.exposure,
            weights.complaints,
            scoring.urgency_tau_days,
            scoring.exposure_reference,
            scoring.complaints_reference,
        ),
        tiers=tiers,
        plans=plans,
        exposure_noun=noun,
        currency=currency,
        # without the revision: the registry numbers it (impact.policy_registry)
        definition=spec.model_dump(mode="json", by_alias=True, exclude={"revision"}),
    )


def _landings(plan: ImpactPlan) -> list[str]:
    return [step.landing_type for step in plan.steps]


def _check_tiers(spec: PolicySpec, tiers: tuple[TierRule, ...]) -> None:
    seen: set[str] = set()
    for i, tier in enumerate(tiers):
        if tier.tier in seen:
            raise InvalidInput(f"tier {tier.tier!r} is defined twice", path=("tiers", i, "tier"))
        seen.add(tier.tier)
    if not tiers[-1].when.always:
        raise InvalidInput(
            'the last tier must have "when": {} so every affected target gets a tier',
            path=("tiers", len(tiers) - 1, "when"),
        )
    for i, plan in enumerate(spec.plans):
        for value in _tier_literals(plan.when):
            if value not in seen:
                raise InvalidInput(
                    f"plan {i} names tier {value[:20]!r}, which the policy does not define",
                    path=("plans", i, "when"),
                )


def _tier_literals(raw: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for signal, ops in raw.items():
        if signal == "anyOf":
            for choice in ops:
                found.extend(_tier_literals(choice))
        elif signal == "tier":
            for value in ops.values():
                found.extend(value if isinstance(value, list) else [value])
    return [value for value in found if isinstance(value, str)]
