"""Schema as code: one document holds the entity types, relation types and impact policies.

A document is YAML (JSON is accepted too)::

    entityTypes:
      - name: CustomsBroker
        label: 报关行
        properties:
          - {name: licence, kind: STRING, required: true, unique: true}
    relationTypes:
      - {name: CLEARS_FOR, from: CustomsBroker, to: Warehouse}
    impactPolicies: [...]

:func:`export_document` writes the registry as one (types sorted by name, fields at their
default left out). :func:`plan_document` works out what applying one changes: each type or
policy of the document is made exactly as written (a property the document leaves out is
dropped, by the usual evolution rules: refused while it holds data); one the registry has
and the document does not is kept, unless ``prune`` drops it. :func:`apply_document`
applies the plan as one registry change or changes nothing, and a document that is
already there changes nothing at all: no version, no audit record.

YAML is read as :mod:`graph_crm.services.yaml_text` reads it: the safe loader, no
anchors or aliases, text keys, dates as ISO text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from graph_crm.errors import (
    AuditFailed,
    Conflict,
    GraphCrmError,
    InvalidInput,
    Issue,
    StoreUnavailable,
    TimedOut,
)
from graph_crm.model.registry import ChangeKind, Registry
from graph_crm.model.types import (
    EntityType,
    RelationType,
    parse_entity_type,
    parse_relation_type,
)
from graph_crm.services.seed import SeedPlan, plan_policies
from graph_crm.services.yaml_text import dump_yaml, load_yaml
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation

DOCUMENT_KEYS: Final = ("description", "entityTypes", "relationTypes", "impactPolicies")
#: A schema of hundreds of types is a few hundred kilobytes.
MAX_DOCUMENT_BYTES: Final = 2_000_000
FIELD_ORDER: Final = ("name", "label", "description", "from", "to", "labelProperty")
HEADER: Final = (
    "# graph-crm schema: entity types, relation types and impact policies.\n"
    "# Apply with `graph-crm schema apply FILE` (`schema diff FILE` shows what it changes).\n"
)


def parse_document(text: str) -> dict[str, Any]:
    """The document in ``text`` (YAML or JSON), checked for its shape; InvalidInput with
    the line and column of a syntax error."""
    data = load_yaml(text, what="a schema document", max_bytes=MAX_DOCUMENT_BYTES)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInput("a schema document is a mapping with " + ", ".join(DOCUMENT_KEYS))
    unknown = [key for key in data if key not in DOCUMENT_KEYS]
    if unknown:
        raise InvalidInput(
            f"unknown key {unknown[0]!r}: a schema document holds " + ", ".join(DOCUMENT_KEYS),
            path=(str(unknown[0]),),
        )
    for key in DOCUMENT_KEYS[1:]:
        if not isinstance(data.get(key, []), list):
            raise InvalidInput(f"{key} must be a list", path=(key,))
    return data


def export_document(registry: Registry) -> dict[str, Any]:
    """The registry's definitions as a document, sorted by name."""

    def compact(definition: EntityType | RelationType) -> dict[str, Any]:
        data: dict[str, Any] = definition.model_dump(
            mode="json", by_alias=True, exclude_defaults=True
        )
        # the order a person reads a type in: what it is, then its properties
        first = [key for key in FIELD_ORDER if key in data]
        return {key: data[key] for key in [*first, *(k for k in data if k not in first)]}

    return {
        "entityTypes": [compact(t) for _, t in sorted(registry.entity_types.items())],
        "relationTypes": [compact(t) for _, t in sorted(registry.relation_types.items())],
        "impactPolicies": [policy for _, policy in sorted(registry.policies.items())],
    }


def dump_document(document: Mapping[str, Any], *, as_json: bool = False) -> str:
    """The text of ``document``: YAML with a header, or JSON."""
    if as_json:
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return HEADER + dump_yaml(dict(document))


@dataclass(frozen=True)
class DocumentChange:
    """One line of a diff: what happens to one definition, and the details."""

    action: str  # "add", "change", "drop"
    kind: str  # "entity type", "relation type", "impact policy"
    name: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        sign = {"add": "+", "change": "~", "drop": "-"}[self.action]
        head = f"{sign} {self.action} {self.kind} {self.name}"
        return "\n".join([head, *(f"    {detail}" for detail in self.details)])


@dataclass
class DocumentPlan:
    """What applying a document does to a registry."""

    operations: list[DefinitionOperation] = field(default_factory=list)
    changes: list[DocumentChange] = field(default_factory=list)
    #: Definitions the registry holds and the document does not (kept: no ``prune``).
    kept: list[str] = field(default_factory=list)
    #: Every refusal, at its path in the document (filled by a dry run or an apply).
    refusals: list[Issue] = field(default_factory=list)
    #: The registry version after applying (the current one if nothing changes).
    version: int = 0

    @property
    def unchanged(self) -> bool:
        return not self.operations


def plan_document(
    registry: Registry, document: Mapping[str, Any], *, prune: bool = False
) -> DocumentPlan:
    """The definition changes that make ``registry`` hold ``document`` (pure)."""
    plan = DocumentPlan(version=registry.version)
    entity_raws = document.get("entityTypes", [])
    relation_raws = document.get("relationTypes", [])
    policy_raws = document.get("impactPolicies", [])
    named = {
        "entity type": _names(entity_raws),
        "relation type": _names(relation_raws),
        "impact policy": _names(policy_raws),
    }
    held = {
        "impact policy": sorted(registry.policies),
        "relation type": sorted(registry.relation_types),
        "entity type": sorted(registry.entity_types),
    }
    drops = {
        "impact policy": ChangeKind.DROP_IMPACT_POLICY,
        "relation type": ChangeKind.DROP_RELATION_TYPE,
        "entity type": ChangeKind.DROP_ENTITY_TYPE,
    }
    # drops first (policies, then relation types, then the entity types they joined)
    for kind, names in held.items():
        for name in names:
            if name in named[kind]:
                continue
            if prune:
                plan.operations.append(DefinitionOperation(drops[kind], name, ("prune", name)))
                plan.changes.append(DocumentChange("drop", kind, name))
            else:
                plan.kept.append(f"{kind} {name}")
    _plan_types(plan, "entityTypes", entity_raws, registry.entity_types)
    _plan_types(plan, "relationTypes", relation_raws, registry.relation_types)
    policies = SeedPlan()
    plan_policies(policies, policy_raws, registry)
    for operation in policies.operations:
        added = operation.kind is ChangeKind.DEFINE_IMPACT_POLICY
        name = str(
            operation.definition.get("name") if isinstance(operation.definition, dict) else ""
        )
        plan.operations.append(operation)
        plan.changes.append(DocumentChange("add" if added else "change", "impact policy", name))
    return plan


def _names(raws: Sequence[Any]) -> set[str]:
    return {
        raw["name"] for raw in raws if isinstance(raw, dict) and isinstance(raw.get("name"), str)
    }


def _plan_types(
    plan: DocumentPlan,
    key: str,
    raws: Sequence[Any],
    stored: Mapping[str, EntityType] | Mapping[str, RelationType],
) -> None:
    entity = key == "entityTypes"
    kind = "entity type" if entity else "relation type"
    define = ChangeKind.DEFINE_ENTITY_TYPE if entity else ChangeKind.DEFINE_RELATION_TYPE
    alter = ChangeKind.ALTER_ENTITY_TYPE if entity else ChangeKind.ALTER_RELATION_TYPE
    for index, raw in enumerate(raws):
        where = (key, index)
        try:
            wanted: EntityType | RelationType = (
                parse_entity_type(raw) if entity else parse_relation_type(raw)
            )
        except GraphCrmError:
            name = raw.get("name") if isinstance(raw, dict) else None
            held = isinstance(name, str) and name in stored
            # passed on as it is: applying the plan refuses it at its place
            plan.operations.append(DefinitionOperation(alter if held else define, raw, where))
            action = "change" if held else "add"
            plan.changes.append(DocumentChange(action, kind, str(name or f"#{index + 1}")))
            continue
        existing = stored.get(wanted.name)
        if existing is None:
            plan.operations.append(DefinitionOperation(define, wanted, where))
            plan.changes.append(DocumentChange("add", kind, wanted.name))
        elif existing != wanted:
            plan.operations.append(DefinitionOperation(alter, wanted, where))
            details = tuple(_differences(existing, wanted))
            plan.changes.append(DocumentChange("change", kind, wanted.name, details))


def _differences(before: EntityType | RelationType, after: EntityType | RelationType) -> list[str]:
    """What differs between two definitions of a type, in words."""
    lines: list[str] = []
    old = {spec.name: spec for spec in before.properties}
    new = {spec.name: spec for spec in after.properties}
    for name, spec in new.items():
        if name not in old:
            lines.append(f"adds property {name} ({spec.kind.value})")
        elif old[name] != spec:
            was = old[name].model_dump(mode="json", by_alias=True, exclude_defaults=True)
            now = spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
            fields = sorted(k for k in {*was, *now} if was.get(k) != now.get(k))
            lines.append(f"changes property {name}: {', '.join(fields)}")
    lines.extend(f"drops property {name}" for name in old if name not in new)
    own_before = before.model_dump(mode="json", by_alias=True, exclude={"properties"})
    own_after = after.model_dump(mode="json", by_alias=True, exclude={"properties"})
    lines.extend(
        f"changes {key}: {json.dumps(own_before.get(key), ensure_ascii=False)} -> "
        f"{json.dumps(own_after.get(key), ensure_ascii=False)}"
        for key in sorted({*own_before, *own_after})
        if own_before.get(key) != own_after.get(key)
    )
    return lines


async def apply_document(
    store: GraphStore,
    document: Mapping[str, Any],
    *,
    actor: str,
    prune: bool = False,
    dry_run: bool = False,
) -> DocumentPlan:
    """Apply ``document`` in one registry change (``dry_run``: check it, write nothing).

    Refusals are collected in the plan (every one, at its path in the document), and then
    nothing is applied; a document already there applies nothing.
    """
    registry = await store.registry()
    plan = plan_document(registry, document, prune=prune)
    if plan.unchanged:
        return plan
    try:
        after = await store.apply_definitions(plan.operations, actor=actor, dry_run=dry_run)
    except (StoreUnavailable, TimedOut, Conflict, AuditFailed):
        raise  # not the document's fault: the caller reports it as it is
    except GraphCrmError as error:
        plan.refusals = list(error.issues)
        if isinstance(error, InvalidInput):
            plan.refusals.extend(await _refusals_of_the_rest(store, plan, error.issues))
        return plan
    plan.version = after.version
    return plan


async def _refusals_of_the_rest(
    store: GraphStore, plan: DocumentPlan, refused: Sequence[Issue]
) -> list[Issue]:
    """The refusals of the operations that parsed, when others did not (a definition that
    does not parse stops the batch before any rule runs): so one diff reports every
    problem. A refusal naming a definition that did not parse is left out, as noise."""
    bad = [
        operation
        for operation in plan.operations
        if operation.where
        and any(issue.path[: len(operation.where)] == operation.where for issue in refused)
    ]
    rest = [operation for operation in plan.operations if operation not in bad]
    names = {f"'{name}'" for name in map(_name_of, bad) if name}
    if not rest:
        return []
    try:
        await store.apply_definitions(rest, actor="schema-diff", dry_run=True)
    except (StoreUnavailable, TimedOut, Conflict, AuditFailed):
        raise
    except GraphCrmError as error:
        return [
            issue
            for issue in error.issues
            if issue not in refused and not any(name in issue.message for name in names)
        ]
    return []


def _name_of(operation: DefinitionOperation) -> str | None:
    definition = operation.definition
    if isinstance(definition, dict):
        name = definition.get("name")
        return name if isinstance(name, str) else None
    return definition if isinstance(definition, str) else getattr(definition, "name", None)
