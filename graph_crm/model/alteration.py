"""What altering a type may do to stored data: the evolution rules (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph_crm.errors import IncompatibleChange, Issue, raise_issues
from graph_crm.model.types import PropertySpec, _TypeDefinition


@dataclass(frozen=True)
class Alteration:
    """What altering a type does to stored data."""

    added: tuple[PropertySpec, ...] = ()
    #: Properties to back-fill on existing entities: name -> default value.
    backfill: dict[str, Any] = field(default_factory=dict)
    #: Properties that became unique (only allowed while the type is empty).
    new_unique: tuple[str, ...] = ()
    #: Properties removed (only allowed while the type is empty).
    removed: tuple[str, ...] = ()
    #: Properties that stopped being unique.
    dropped_unique: tuple[str, ...] = ()


def plan_alteration(old: _TypeDefinition, new: _TypeDefinition, *, populated: bool) -> Alteration:
    """Say what changing ``old`` into ``new`` does, or refuse why it would break data.

    Allowed on a populated type: adding optional properties, adding required ones
    with a default (back-filled), adding enum values, editing descriptions, relaxing
    ``required`` and ``unique``. Everything else only while the type is empty. A refusal
    carries one issue per property refused, each at ``("properties", <name>)``.
    """
    if not populated:
        # Nothing stored can break; still report what the store must do.
        removed = tuple(s.name for s in old.properties if new.spec(s.name) is None)
        new_unique = tuple(
            s.name
            for s in new.properties
            if s.unique and not ((o := old.spec(s.name)) is not None and o.unique)
        )
        dropped = tuple(
            s.name
            for s in old.properties
            if s.unique and not ((n := new.spec(s.name)) is not None and n.unique)
        )
        return Alteration(
            added=tuple(s for s in new.properties if old.spec(s.name) is None),
            new_unique=new_unique,
            removed=removed,
            dropped_unique=dropped,
        )

    name = old.name
    why_empty = f"{name} holds data, so this change is only allowed while it is empty"
    added: list[PropertySpec] = []
    backfill: dict[str, Any] = {}
    dropped_unique: list[str] = []
    # Every refusal is collected, so one answer names every property that holds data.
    refusals: list[Issue] = []

    def refuse(message: str, spec_name: str) -> None:
        refusals.append(Issue(IncompatibleChange.code, message, ("properties", spec_name)))

    for old_spec in old.properties:
        if new.spec(old_spec.name) is None:
            refuse(
                f"removing property {old_spec.name!r} would lose stored values: {why_empty}",
                old_spec.name,
            )
    for spec in new.properties:
        before = old.spec(spec.name)
        if before is None:
            if spec.required and spec.default is None:
                refuse(
                    f"new property {spec.name!r} is required but has no default, so existing "
                    f"{name} entities would be invalid: give it a default or make it optional",
                    spec.name,
                )
            elif spec.unique:
                refuse(f"new property {spec.name!r} cannot be unique: {why_empty}", spec.name)
            else:
                added.append(spec)
                if spec.default is not None:
                    backfill[spec.name] = spec.default
            continue
        if spec.kind != before.kind and spec.computed is None:
            refuse(
                f"property {spec.name!r} is {before.kind}; changing it to {spec.kind} would "
                f"invalidate stored values",
                spec.name,
            )
            continue
        lost = [value for value in before.values if value not in spec.values]
        if lost:
            refuse(
                f"property {spec.name!r}: removing enum value(s) {', '.join(lost)} could "
                f"invalidate stored values: {why_empty}",
                spec.name,
            )
        if spec.required and not before.required:
            if spec.default is None:
                refuse(
                    f"property {spec.name!r} cannot become required without a default: "
                    "stored entities may lack it",
                    spec.name,
                )
            else:
                backfill[spec.name] = spec.default
        if spec.unique and not before.unique:
            refuse(f"property {spec.name!r} cannot become unique: {why_empty}", spec.name)
        if before.unique and not spec.unique:
            dropped_unique.append(spec.name)
    raise_issues(IncompatibleChange, refusals)
    return Alteration(added=tuple(added), backfill=backfill, dropped_unique=tuple(dropped_unique))
