"""A policy spec's names resolved against the registry into an :class:`ImpactPlan` (pure).

Each step's relation and the type it lands on, filters, and the properties signals read
with their kinds; a name that is missing or of the wrong kind is refused with the path of
the offending entry.
"""

from __future__ import annotations

from typing import Any

from graph_crm.errors import GraphCrmError, InvalidInput, PathPart, UnknownProperty
from graph_crm.impact.plan import (
    DATE_KINDS,
    NUMBER_KINDS,
    Complaints,
    ImpactPlan,
    LinkedProperty,
    PlanStep,
    Rollup,
    StepProperty,
)
from graph_crm.impact.policy_spec import ComplaintsSpec, HopSpec, PolicySpec, SignalSpec
from graph_crm.impact.policy_where import resolve_where
from graph_crm.model.direction import Direction
from graph_crm.model.formula import Formula
from graph_crm.model.query import Filter
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType, PropertyKind


class PlanResolver:
    """Names in a policy spec -> the registry's types, each failure with its path."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def entity_type(self, name: str, at: tuple[PathPart, ...]) -> EntityType:
        try:
            return self.registry.entity_type(name)
        except GraphCrmError as error:
            raise type(error)(error.message, path=at) from None

    def hop(self, hop: HopSpec, near: str, at: tuple[PathPart, ...]) -> tuple[Direction, str]:
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

    def where(
        self, type_name: str, raw: Any, at: tuple[PathPart, ...]
    ) -> tuple[Filter | None, Formula | None]:
        """A filter or a BOOLEAN formula (:mod:`.policy_where`), at ``at/where``."""
        return resolve_where(self.registry, self.entity_type(type_name, at), raw, at)

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
            steps.append(PlanStep(hop.relation, direction, far, *self.where(far, hop.where, at)))
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
                HopSpec(relation=spec.rollup.relation, direction=spec.rollup.direction),
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
        self, signal: SignalSpec, types: list[str], kinds: tuple[PropertyKind, ...], name: str
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

    def sla(
        self, signal: SignalSpec | None, types: list[str]
    ) -> StepProperty | LinkedProperty | None:
        if signal is None:
            return None
        if signal.linked is None:
            return self.step_property(signal, types, DATE_KINDS, "sla")
        at: tuple[PathPart, ...] = ("signals", "sla", "linked")
        direction, far = self.hop(signal.linked, types[-1], at)
        kind = self.kind(far, signal.property, DATE_KINDS, ("signals", "sla", "property"))
        where = self.where(far, signal.linked.where, at)
        return LinkedProperty(signal.linked.relation, direction, far, signal.property, kind, *where)

    def exposure(self, signal: SignalSpec | None, types: list[str]) -> StepProperty | None:
        if signal is None:
            return None
        if signal.step is None:
            raise InvalidInput(
                "exposure is read at a path step: give 'step'", path=("signals", "exposure")
            )
        return self.step_property(signal, types, NUMBER_KINDS, "exposure")

    def complaints(self, spec: ComplaintsSpec | None, target: str) -> Complaints | None:
        if spec is None:
            return None
        at: tuple[PathPart, ...] = ("signals", "complaints")
        direction, far = self.hop(spec, target, at)
        kind = self.kind(far, spec.date_property, DATE_KINDS, (*at, "dateProperty"))
        where = self.where(far, spec.where, at)
        return Complaints(
            spec.relation, direction, far, spec.date_property, kind, spec.window_days, *where
        )
