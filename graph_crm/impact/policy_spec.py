"""The JSON shape of an impact policy, as a config officer writes it (pure).

The format is in the README ("Impact policies"); ``seeds/policies`` has examples. This
module checks the shape only; :mod:`graph_crm.impact.policy` resolves its names against
the registry.
"""

from __future__ import annotations

import math
from typing import Any, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from graph_crm.errors import InvalidInput
from graph_crm.impact.plan import MAX_ROLLUP_HOPS, MAX_STEPS
from graph_crm.model.types import parse_model

POLICY_NAME_PATTERN: Final = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
MAX_TIERS: Final = 10
MAX_PLANS: Final = 30


class _Spec(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )


class HopSpec(_Spec):
    relation: str = Field(max_length=64)
    direction: Literal["OUT", "IN"]
    where: dict[str, Any] | None = None


class RollupSpec(_Spec):
    relation: str = Field(max_length=64)
    direction: Literal["OUT", "IN"]
    max_hops: int = Field(ge=1, le=MAX_ROLLUP_HOPS)


class SignalSpec(_Spec):
    """A property at a path step, or (SLA only) of an entity linked to the target."""

    step: int | None = Field(default=None, ge=0, le=MAX_STEPS)
    linked: HopSpec | None = None
    property: str = Field(max_length=64)

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.step is None) == (self.linked is None):
            raise ValueError("give either 'step' (a path position) or 'linked' (a relation)")
        return self


class ComplaintsSpec(HopSpec):
    date_property: str = Field(max_length=64)
    window_days: int = Field(ge=1, le=3660)


class SignalsSpec(_Spec):
    sla: SignalSpec | None = None
    exposure: SignalSpec | None = None
    complaints: ComplaintsSpec | None = None


class WeightsSpec(_Spec):
    urgency: float = Field(ge=0, le=1)
    exposure: float = Field(ge=0, le=1)
    complaints: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> Self:
        if not math.isclose(self.urgency + self.exposure + self.complaints, 1.0, abs_tol=1e-6):
            raise ValueError("weights must add up to 1, so a score lies in [0, 1]")
        return self


class ScoringSpec(_Spec):
    weights: WeightsSpec
    urgency_tau_days: float = Field(default=7.0, gt=0, le=365)
    exposure_reference: float = Field(gt=0, le=1e15)
    complaints_reference: int = Field(default=5, ge=1, le=100_000)


class TierSpec(_Spec):
    tier: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    label: str = Field(min_length=1, max_length=80)
    when: dict[str, Any]


class PlanSpec(_Spec):
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
    steps: list[HopSpec] = Field(min_length=1, max_length=MAX_STEPS)
    rollup: RollupSpec | None = None
    signals: SignalsSpec = SignalsSpec()
    scoring: ScoringSpec
    tiers: list[TierSpec] = Field(min_length=1, max_length=MAX_TIERS)
    plans: list[PlanSpec] = Field(default_factory=list, max_length=MAX_PLANS)


def parse_policy_spec(raw: Any) -> PolicySpec:
    """``raw`` checked against the policy's shape (no registry involved)."""
    if not isinstance(raw, dict):
        raise InvalidInput("an impact policy is a JSON object", path=())
    return parse_model(PolicySpec, raw)


def policy_json(raw: Any) -> dict[str, Any]:
    """The policy's JSON in its checked, normal form (shape only, no registry)."""
    dumped: dict[str, Any] = parse_policy_spec(raw).model_dump(mode="json", by_alias=True)
    return dumped
