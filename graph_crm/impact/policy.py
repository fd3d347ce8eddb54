"""Impact policies: what a config officer writes, checked against the registry (pure).

A policy is JSON (the format is in the README, "Impact policies"; ``seeds/policies``
has examples). :func:`compile_policy` checks its shape, then resolves every name
against the registry — each step's relation and the type it lands on, filters,
the properties signals read and their kinds — and returns a :class:`Policy`: the
:class:`~graph_crm.impact.plan.ImpactPlan` a backend evaluates plus the scoring, tier
rules and response plans the shared ranking applies. A policy naming a missing type,
relation or property is refused with the path of the offending entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from graph_crm.errors import (
    GraphCrmError,
    IncompatibleChange,
    InvalidInput,
    PathPart,
    UnknownProperty,
)
from graph_crm.impact.conditions import Condition, describe, parse_condition
from graph_crm.impact.plan import (
    MAX_ROLLUP_HOPS,
    MAX_STEPS,
    Complaints,
    ImpactPlan,
    LinkedProperty,
    PlanStep,
    Rollup,
    StepProperty,
)
from graph_crm.impact.request import check_plan
from graph_crm.model.query import Filter, check_filter
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.traversal import Direction
from graph_crm.model.types import EntityType, PropertyKind, parse_model
from graph_crm.model.values import utc_now

POLICY_NAME_PATTERN: Final = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
MAX_TIERS: Final = 10
MAX_PLANS: Final = 30
_DATE_KINDS: Final = (PropertyKind.DATE, PropertyKind.DATETIME)
_NUMBER_KINDS: Final = (PropertyKind.INT, PropertyKind.FLOAT)


# -- the JSON shape -------------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )


class _Hop(_Spec):
    relation: str = Field(max_length=64)
    direction: Literal["OUT", "IN"]
    where: dict[str, Any] | None = None


class _Rollup(_Spec):
    relation: str = Field(max_length=64)
    direction: Literal["OUT", "IN"]
    max_hops: int = Field(ge=1, le=MAX_ROLLUP_HOPS)


class _Signal(_Spec):
    """A property at a path step, or (SLA only) of an entity linked to the target."""

    step: int | None = Field(default=None, ge=0, le=MAX_STEPS)
    linked: _Hop | None = None
    property: str = Field(max_length=64)

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.step is None) == (self.linked is None):
            raise ValueError("give either 'step' (a path position) or 'linked' (a relation)")
        return self


class _Complaints(_Hop):
    date_property: str = Field(max_length=64)
    window_days: int = Field(ge=1, le=3660)


class _Signals(_Spec):
    sla: _Signal | None = None
    exposure: _Signal | None = None
    complaints: _Complaints | None = None


class _Weights(_Spec):
    urgency: float = Field(ge=0, le=1)
    exposure: float = Field(ge=0, le=1)
    complaints: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> Self:
        if not math.isclose(self.urgency + self.exposure + self.complaints, 1.0, abs_tol=1e-6):
            raise ValueError("weights must add up to 1, so a score lies in [0, 1]")
        return self


class _Scoring(_Spec):
    weights: _Weights
    urgency_tau_days: float = Field(default=7.0, gt=0, le=365)
    exposure_reference: float = Field(gt=0, le=1e15)
    complaints_reference: int = Field(default=5, ge=1, le=100_000)


class _Tier(_Spec):
    tier: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    label: str = Field(min_length=1, max_length=80)
    when: dict[str, Any]


class _Plan(_Spec):
    when: dict[str, Any]
    actions: list[str] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _actions(self) -> Self:
        if any(not action.strip() or len(action) > 300 for action in self.actions):
            raise ValueError("an action is 1-300 characters of text")
        return self


class PolicySpec(_Spec):
    name: str = Field(max_length=64, pattern=POLICY_NAME_PATTERN)
    description: str = Field(default="", max_length=500)
    source: str = Field(max_length=64)
    target: str = Field(max_length=64)
    steps: list[_Hop] = Field(min_length=1, max_length=MAX_STEPS)
    rollup: _Rollup | None = None
    signals: _Signals = _Signals()
    scoring: _Scoring
    tiers: list[_Tier] = Field(min_length=1, max_length=MAX_TIERS)
    plans: list[_Plan] = Field(default_factory=list, max_length=MAX_PLANS)


# -- what the ranking applies ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scoring:
    urgency: float
    exposure: float
    complaints: float
    tau_days: float
    exposure_reference: float
    complaints_reference: int


@dataclass(frozen=True, slots=True)
class TierRule:
    tier: str
    label: str
    when: Condition
    rule: str  # the condition in words


@dataclass(frozen=True, slots=True)
class ResponsePlan:
    when: Condition
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    description: str
    plan: ImpactPlan
    scoring: Scoring
    tiers: tuple[TierRule, ...]
    plans: tuple[ResponsePlan, ...]
    #: What the exposure step's entities are called in reasons ("Shipment").
    exposure_noun: str
    #: The checked JSON, as the registry keeps it.
    definition: dict[str, Any]


def policy_json(raw: Any) -> dict[str, Any]:
    """The policy's JSON in its checked, normal form (shape only, no registry)."""
    spec = parse_model(PolicySpec, _as_mapping(raw))
    dumped: dict[str, Any] = spec.model_dump(mode="json", by_alias=True)
    return dumped


def compile_policy(registry: Registry, raw: Any, *, version: int | None = None) -> Policy:
    """Check ``raw`` (policy JSON) against ``registry``; see the module docstring."""
    spec = parse_model(PolicySpec, _as_mapping(raw))
    plan = _Resolver(registry).plan(spec, registry.version if version is None else version)
    check_plan(registry, plan)  # the evaluators' own check: both must agree
    weights, scoring = spec.scoring.weights, spec.scoring
    tiers = tuple(
        TierRule(
            tier.tier,
            tier.label,
            cond := parse_condition(tier.when, ("tiers", i, "when"), late=False),
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
        definition=spec.model_dump(mode="json", by_alias=True),
    )


def stored_policy(registry: Registry, name: str) -> Policy:
    """The registry's policy ``name``, compiled against that registry."""
    return compile_policy(registry, registry.policy(name))


def check_policies(registry: Registry) -> None:
    """Refuse a type change that would break a stored policy (it names which and why)."""
    for name, definition in sorted(registry.policies.items()):
        try:
            compile_policy(registry, definition)
        except GraphCrmError as error:
            where = "/".join(str(part) for part in error.path)
            raise IncompatibleChange(
                f"impact policy {name!r} uses it ({where or 'policy'}: {error.message}); "
                "alter or drop the policy first",
                path=("policies", name, *error.path),
            ) from None


def define_policy(registry: Registry, raw: Any, actor: str) -> tuple[Registry, RegistryChange]:
    """The registry with a new policy, checked against it (both stores call this)."""
    policy = compile_policy(registry, raw, version=registry.version + 1)
    return registry.define_policy(policy.name, policy.definition, actor=actor, at=utc_now())


def alter_policy(registry: Registry, raw: Any, actor: str) -> tuple[Registry, RegistryChange]:
    """The registry with policy ``raw["name"]`` replaced by ``raw``, checked against it."""
    policy = compile_policy(registry, raw, version=registry.version + 1)
    return registry.alter_policy(policy.name, policy.definition, actor=actor, at=utc_now())


def _as_mapping(raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise InvalidInput("an impact policy is a JSON object", path=())
    return raw


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


class _Resolver:
    """Names in a policy spec -> the registry's types, each failure with its path."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def entity_type(self, name: str, at: tuple[PathPart, ...]) -> EntityType:
        try:
            return self.registry.entity_type(name)
        except GraphCrmError as error:
            raise type(error)(error.message, path=at) from None

    def hop(self, hop: _Hop, near: str, at: tuple[PathPart, ...]) -> tuple[Direction, str]:
        """The direction and the type a hop from ``near`` lands on."""
        try:
            relation = self.registry.relation_type(hop.relation)
        except GraphCrmError as error:
            raise type(error)(error.message, path=(*at, "relation")) from None
        direction = Direction(hop.direction)
        near_end, far_end = (
            (relation.from_type, relation.to_type)
            if direction is Direction.OUT
            else (relation.to_type, relation.from_type)
        )
        if near_end != near:
            raise InvalidInput(
                f"{relation.name} goes from {relation.from_type} to {relation.to_type}: it "
                f"cannot be followed {direction.value} from a {near}",
                path=(*at, "direction"),
            )
        return direction, far_end

    def where(self, type_name: str, raw: Any, at: tuple[PathPart, ...]) -> Filter | None:
        definition = self.entity_type(type_name, at)
        return check_filter(definition, raw, (*at, "where"), registry=self.registry)

    def kind(
        self, type_name: str, name: str, kinds: tuple[PropertyKind, ...], at: tuple[PathPart, ...]
    ) -> PropertyKind:
        spec = self.entity_type(type_name, at).spec(name)
        if spec is None:
            raise UnknownProperty(f"{type_name} has no property {name[:64]!r}", path=at)
        if spec.kind not in kinds:
            wanted = " or ".join(kinds)
            raise InvalidInput(f"{type_name}.{name} is a {spec.kind}, not a {wanted}", path=at)
        return spec.kind

    def plan(self, spec: PolicySpec, version: int) -> ImpactPlan:
        types = [self.entity_type(spec.source, ("source",)).name]
        steps = []
        for i, hop in enumerate(spec.steps):
            at = ("steps", i)
            direction, far = self.hop(hop, types[-1], at)
            steps.append(PlanStep(hop.relation, direction, far, self.where(far, hop.where, at)))
            types.append(far)
        target = self.entity_type(spec.target, ("target",)).name
        if types[-1] != target:
            raise InvalidInput(
                f"the steps end at {types[-1]}, not at the target type {target}",
                path=("steps", len(spec.steps) - 1),
            )
        rollup = None
        if spec.rollup is not None:
            direction, far = self.hop(
                _Hop(relation=spec.rollup.relation, direction=spec.rollup.direction),
                target,
                ("rollup",),
            )
            if far != target:
                raise InvalidInput(
                    f"a roll-up climbs from {target} to {target}; "
                    f"{spec.rollup.relation} leads to {far}",
                    path=("rollup", "relation"),
                )
            rollup = Rollup(spec.rollup.relation, direction, spec.rollup.max_hops)
        signals = spec.signals
        return ImpactPlan(
            policy=spec.name,
            version=version,
            source_type=types[0],
            target_type=target,
            steps=tuple(steps),
            rollup=rollup,
            sla=self.sla(signals.sla, types),
            exposure=self.exposure(signals.exposure, types),
            complaints=self.complaints(signals.complaints, target),
        )

    def step_property(
        self, signal: _Signal, types: list[str], kinds: tuple[PropertyKind, ...], name: str
    ) -> StepProperty:
        step = signal.step
        assert step is not None
        if step >= len(types):
            raise InvalidInput(
                f"there is no step {step}: the path has steps 0 to {len(types) - 1}",
                path=("signals", name, "step"),
            )
        at: tuple[PathPart, ...] = ("signals", name, "property")
        return StepProperty(
            step, signal.property, self.kind(types[step], signal.property, kinds, at)
        )

    def sla(self, signal: _Signal | None, types: list[str]) -> StepProperty | LinkedProperty | None:
        if signal is None:
            return None
        if signal.linked is None:
            return self.step_property(signal, types, _DATE_KINDS, "sla")
        at: tuple[PathPart, ...] = ("signals", "sla", "linked")
        direction, far = self.hop(signal.linked, types[-1], at)
        kind = self.kind(far, signal.property, _DATE_KINDS, ("signals", "sla", "property"))
        where = self.where(far, signal.linked.where, at)
        return LinkedProperty(signal.linked.relation, direction, far, signal.property, kind, where)

    def exposure(self, signal: _Signal | None, types: list[str]) -> StepProperty | None:
        if signal is None:
            return None
        if signal.step is None:
            raise InvalidInput(
                "exposure is read at a path step: give 'step'", path=("signals", "exposure")
            )
        return self.step_property(signal, types, _NUMBER_KINDS, "exposure")

    def complaints(self, spec: _Complaints | None, target: str) -> Complaints | None:
        if spec is None:
            return None
        at: tuple[PathPart, ...] = ("signals", "complaints")
        direction, far = self.hop(spec, target, at)
        kind = self.kind(far, spec.date_property, _DATE_KINDS, (*at, "dateProperty"))
        where = self.where(far, spec.where, at)
        return Complaints(
            spec.relation, direction, far, spec.date_property, kind, spec.window_days, where
        )
