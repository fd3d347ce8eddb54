"""The JSON shape of an impact policy, as a config officer writes it (pure).

The format is documented in ``docs/policies.md``; ``seeds/policies`` has examples. This
module checks the shape only; :mod:`graph_crm.impact.policy` resolves its names against
the registry.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from graph_crm.errors import InvalidInput
from graph_crm.impact.plan import MAX_ROLLUP_HOPS, MAX_STEPS
from graph_crm.model.types import parse_model

POLICY_NAME_PATTERN: Final = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
#: An ISO 4217 code as written: three capital letters (the list itself changes; not checked).
CURRENCY_PATTERN: Final = r"[A-Z]{3}"
#: A weight is relative; this only keeps the numbers sane.
MAX_WEIGHT: Final = 1e6
#: Digits kept in normalised weights: normalising them again changes nothing.
WEIGHT_DIGITS: Final = 6

MAX_TIERS: Final = 10
MAX_PLANS: Final = 30


class _Spec(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )


class HopSpec(_Spec):
    relation: str = Field(max_length=64)
    direction: Literal["OUT", "IN"]
    #: The filter language of ``entities``, or a BOOLEAN formula's text (docs/formulas.md).
    where: dict[str, Any] | str | None = None


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


class ExposureSpec(SignalSpec):
    """The amounts summed; ``currency`` names their ISO 4217 currency (CNY, EUR...)."""

    currency: str | None = Field(default=None, max_length=8)

    @field_validator("currency")
    @classmethod
    def _iso_4217(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(CURRENCY_PATTERN, value):
            raise ValueError(
                f"{value[:8]!r} is not a currency code: give three capital letters "
                "(ISO 4217), e.g. CNY, EUR or USD"
            )
        return value


class ComplaintsSpec(HopSpec):
    date_property: str = Field(max_length=64)
    window_days: int = Field(ge=1, le=3660)


class SignalsSpec(_Spec):
    sla: SignalSpec | None = None
    exposure: ExposureSpec | None = None
    complaints: ComplaintsSpec | None = None


class WeightsSpec(_Spec):
    """Relative weights, any numbers >= 0; one left out weighs 0. A policy's normal form
    has them scaled to add up to 1 over the signals it reads (:mod:`.policy_scoring`)."""

    urgency: float = Field(default=0.0, ge=0, le=MAX_WEIGHT)
    exposure: float = Field(default=0.0, ge=0, le=MAX_WEIGHT)
    complaints: float = Field(default=0.0, ge=0, le=MAX_WEIGHT)


class ScoringSpec(_Spec):
    #: None: each signal the policy reads weighs the same (see :func:`parse_policy_spec`).
    weights: WeightsSpec | None = None
    urgency_tau_days: float = Field(default=7.0, gt=0, le=365)
    #: The exposure (in the policy's currency) that scores 1; needed only when exposure
    #: is read and weighs something: no amount suits every currency and business.
    exposure_reference: float | None = Field(default=None, gt=0, le=1e15)
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
    #: Set by the registry (1 when defined, +1 on each alter that changes the policy); a
    #: value sent with a definition is ignored, so a `policy show` output can be altered.
    revision: int | None = Field(default=None, ge=1, le=10**9)
    name: str = Field(max_length=64, pattern=POLICY_NAME_PATTERN)
    description: str = Field(default="", max_length=500)
    source: str = Field(max_length=64)
    target: str = Field(max_length=64)
    steps: list[HopSpec] = Field(min_length=1, max_length=MAX_STEPS)
    rollup: RollupSpec | None = None
    signals: SignalsSpec = SignalsSpec()
    scoring: ScoringSpec = ScoringSpec()
    tiers: list[TierSpec] = Field(min_length=1, max_length=MAX_TIERS)
    plans: list[PlanSpec] = Field(default_factory=list, max_length=MAX_PLANS)


def parse_policy_spec(raw: Any) -> PolicySpec:
    """``raw`` checked against the policy's shape (no registry involved), its scoring
    completed by :func:`complete_scoring`."""
    if not isinstance(raw, dict):
        raise InvalidInput("an impact policy is a JSON object", path=())
    spec = parse_model(PolicySpec, raw)
    return spec.model_copy(update={"scoring": complete_scoring(spec.signals, spec.scoring)})


def complete_scoring(signals: SignalsSpec, scoring: ScoringSpec) -> ScoringSpec:
    """The scoring a policy runs with, as its normal form stores it: weights over the
    signals it reads (none given: the same for each), scaled to add up to 1 so a score
    reaches 1; ``exposureReference`` where exposure weighs something.

    >>> read = SignalsSpec(complaints={"relation": "FILED", "direction": "OUT",
    ...                                "dateProperty": "on", "windowDays": 9},
    ...                    sla={"step": 1, "property": "due"})
    >>> given = ScoringSpec(weights={"urgency": 5, "exposure": 3, "complaints": 2})
    >>> complete_scoring(read, given).weights  # exposure is not read: it weighs nothing
    WeightsSpec(urgency=0.714286, exposure=0.0, complaints=0.285714)
    >>> complete_scoring(read, ScoringSpec()).weights
    WeightsSpec(urgency=0.5, exposure=0.0, complaints=0.5)
    """
    read = {
        "urgency": signals.sla is not None,
        "exposure": signals.exposure is not None,
        "complaints": signals.complaints is not None,
    }
    given = scoring.weights or WeightsSpec(urgency=1, exposure=1, complaints=1)
    weights = {name: getattr(given, name) if read[name] else 0.0 for name in read}
    total = sum(weights.values())
    if total > 0 and not math.isclose(total, 1.0, abs_tol=1e-6):
        # rounded: normalising a normal form again changes nothing
        weights = {name: round(weight / total, WEIGHT_DIGITS) for name, weight in weights.items()}
    if weights["exposure"] > 0 and scoring.exposure_reference is None:
        raise InvalidInput(
            "give exposureReference: the exposure that scores 1 (in the policy's "
            "currency), e.g. what your largest customers typically have in transit; "
            "or weigh exposure 0",
            path=("scoring", "exposureReference"),
        )
    return scoring.model_copy(update={"weights": WeightsSpec(**weights)})


def policy_json(raw: Any) -> dict[str, Any]:
    """The policy's JSON in its checked, normal form (shape only, no registry; without
    the revision, which the registry keeps)."""
    dumped: dict[str, Any] = parse_policy_spec(raw).model_dump(
        mode="json", by_alias=True, exclude={"revision"}
    )
    return dumped
