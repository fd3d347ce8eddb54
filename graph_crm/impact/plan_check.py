"""An :class:`ImpactPlan` checked again against the current registry (pure, no IO).

A plan was resolved against the registry when it was made; the registry may have moved
since, so a backend checks it again (cheap) before any name reaches a query, and
:func:`~graph_crm.impact.policy.compile_policy` runs the same check on what it built, so
the compiler and the evaluators agree on what a valid plan is.
"""

from __future__ import annotations

from graph_crm.errors import InvalidInput, PathPart, UnknownProperty
from graph_crm.impact.plan import (
    DATE_KINDS,
    MAX_ROLLUP_HOPS,
    MAX_STEPS,
    NUMBER_KINDS,
    Complaints,
    ImpactPlan,
    LinkedProperty,
    StepProperty,
)
from graph_crm.model.direction import Direction
from graph_crm.model.formula import Formula, compile_formula, property_kinds
from graph_crm.model.query import SYSTEM_FIELDS
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind, RelationType


def _far_type(
    relation: RelationType, direction: Direction, near: str, at: tuple[PathPart, ...]
) -> str:
    if direction is Direction.OUT and relation.from_type == near:
        return relation.to_type
    if direction is Direction.IN and relation.to_type == near:
        return relation.from_type
    raise InvalidInput(
        f"{relation.name} goes from {relation.from_type} to {relation.to_type}: it cannot be "
        f"followed {direction.value} from a {near}",
        path=at,
    )


def _hop(
    registry: Registry,
    relation: str,
    direction: Direction,
    near: str,
    far: str,
    at: tuple[PathPart, ...],
) -> None:
    lands = _far_type(registry.relation_type(relation), direction, near, at)
    if lands != far:
        raise InvalidInput(f"{relation} {direction.value} lands on {lands}, not {far}", path=at)


def _property(
    registry: Registry,
    type_name: str,
    name: str,
    kind: PropertyKind,
    kinds: tuple[PropertyKind, ...],
    at: tuple[PathPart, ...],
) -> None:
    spec = registry.entity_type(type_name).spec(name)
    if spec is None or name in SYSTEM_FIELDS:
        raise UnknownProperty(f"{type_name} has no property {name!r}", path=at)
    if spec.kind is not kind or kind not in kinds:
        wanted = " or ".join(kinds)
        raise InvalidInput(
            f"{type_name}.{name} is a {spec.kind}; the plan wants a {kind} ({wanted})", path=at
        )


def check_plan(registry: Registry, plan: ImpactPlan) -> None:
    """Raise unless every name in ``plan`` still means what the plan says it does."""
    if not 1 <= len(plan.steps) <= MAX_STEPS:
        raise InvalidInput(f"a plan has 1 to {MAX_STEPS} steps", path=("steps",))
    types = [registry.entity_type(plan.source_type).name]
    for index, step in enumerate(plan.steps):
        _hop(
            registry, step.relation, step.direction, types[-1], step.landing_type, ("steps", index)
        )
        types.append(step.landing_type)
        _condition(registry, step.landing_type, step.condition, ("steps", index, "where"))
    if plan.rollup is not None:
        rollup = plan.rollup
        if not 0 <= rollup.max_hops <= MAX_ROLLUP_HOPS:
            raise InvalidInput(f"a roll-up climbs 0 to {MAX_ROLLUP_HOPS} hops", path=("rollup",))
        _hop(registry, rollup.relation, rollup.direction, types[-1], types[-1], ("rollup",))
    if types[-1] != plan.target_type:
        raise InvalidInput(
            f"the steps end at {types[-1]}, not at the target type {plan.target_type}",
            path=("targetType",),
        )
    _check_signals(registry, plan, types)


def _check_signals(registry: Registry, plan: ImpactPlan, types: list[str]) -> None:
    signals: list[tuple[str, StepProperty | LinkedProperty | None, tuple[PropertyKind, ...]]] = [
        ("sla", plan.sla, DATE_KINDS),
        ("exposure", plan.exposure, NUMBER_KINDS),
    ]
    for name, signal, kinds in signals:
        if isinstance(signal, StepProperty):
            if not 0 <= signal.step < len(types):
                raise InvalidInput(f"there is no step {signal.step}", path=(name, "step"))
            far, at = types[signal.step], (name, "property")
            _property(registry, far, signal.property, signal.kind, kinds, at)
        elif isinstance(signal, LinkedProperty):
            _linked(registry, plan.target_type, signal, (name,))
            _condition(registry, signal.far_type, signal.condition, (name, "where"))
            far, at = signal.far_type, (name, "property")
            _property(registry, far, signal.property, signal.kind, kinds, at)
    if plan.complaints is not None:
        complaints = plan.complaints
        _linked(registry, plan.target_type, complaints, ("complaints",))
        _condition(registry, complaints.far_type, complaints.condition, ("complaints", "where"))
        _property(
            registry,
            complaints.far_type,
            complaints.date_property,
            complaints.kind,
            DATE_KINDS,
            ("complaints", "dateProperty"),
        )
        if complaints.window_days < 0:
            raise InvalidInput("a complaint window is not negative", path=("complaints",))


def _linked(
    registry: Registry,
    target: str,
    linked: LinkedProperty | Complaints,
    at: tuple[PathPart, ...],
) -> None:
    _hop(registry, linked.relation, linked.direction, target, linked.far_type, at)


def _condition(
    registry: Registry, type_name: str, formula: Formula | None, at: tuple[PathPart, ...]
) -> None:
    """A ``where`` formula still type-checks as BOOLEAN over ``type_name`` (every name it
    reads is then one of the type's, and passed the registry's pattern)."""
    if formula is None:
        return
    kinds = property_kinds(registry.entity_type(type_name))
    again = compile_formula(formula.text, kinds, type_name, at)
    if again.tree != formula.tree or again.kind is not PropertyKind.BOOLEAN:
        raise InvalidInput(f"the condition no longer means what the plan says: {at}", path=at)
