"""Impact policies and reports in the core schema.

Config officers define policies (``defineImpactPolicy`` with the policy JSON, the same
format as ``seeds/policies``); risk teams ask ``impactReport``. Everything is computed
by :mod:`graph_crm.services.impact_report`, the code the CLI runs too.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from graph_crm.api.context import Info, field, mutation
from graph_crm.api.errors import Error, as_result
from graph_crm.api.impact_document import ReportDocumentType
from graph_crm.impact import report as model
from graph_crm.impact.policy_registry import policy_revision
from graph_crm.impact.render import render
from graph_crm.impact.render.document import document
from graph_crm.impact.report_inputs import DEFAULT_DELAY_DAYS, DEFAULT_LIMIT
from graph_crm.model.registry import Registry
from graph_crm.services.impact_report import impact_report


@strawberry.type(name="ImpactPolicy", description="A stored impact policy (its JSON and gist).")
class ImpactPolicyType:
    name: str
    revision: int = strawberry.field(
        description="The policy's own revision: 1 when defined, +1 on each alter that "
        "changes it (defined again after a drop: 1)."
    )
    description: str
    source: str = strawberry.field(description="The entity type a disruption starts at.")
    target: str = strawberry.field(description="The entity type the report ranks.")
    definition: JSON = strawberry.field(description="The policy as stored (the seed format).")

    @classmethod
    def from_definition(cls, definition: dict[str, Any]) -> ImpactPolicyType:
        return cls(
            name=definition["name"],
            revision=policy_revision(definition),
            description=definition.get("description", ""),
            source=definition["source"],
            target=definition["target"],
            definition=cast(JSON, definition),
        )


@strawberry.type
class ImpactPolicyPayload:
    schema_version: int
    policy: ImpactPolicyType | None = strawberry.field(description="None once dropped.")


ImpactPolicyResult = Annotated[ImpactPolicyPayload | Error, strawberry.union("ImpactPolicyResult")]


@strawberry.type(description="One score component: normalised value, weight, contribution.")
class ImpactComponent:
    name: str
    value: float
    weight: float
    contribution: float
    reason: str


@strawberry.type(description="An entity on a path, with the label reports show.")
class ImpactPathEntity:
    id: strawberry.ID
    label: str


@strawberry.type(description="One affected target: its rank and why it ranks there.")
class ImpactTarget:
    rank: int
    target: strawberry.ID
    label: str
    tier: str
    tier_label: str
    tier_rule: str = strawberry.field(
        description="The tier rule that fired, in words, with the values it saw."
    )
    tier_formula: str = strawberry.field(
        description="The same rule as the policy writes it (gapDays >= 0), with its values."
    )
    score: float
    components: list[ImpactComponent]
    sla_buffer_days: float | None
    sla_deadline: datetime | None
    sla_entity: strawberry.ID | None
    breach_predicted: bool
    complaints: int = strawberry.field(
        description="0 when the policy reads no complaints (see ImpactReport.signals)."
    )
    exposure: float = strawberry.field(description="In ImpactReport.currency, when named.")
    exposure_entities: int
    path_count: int
    paths: list[list[ImpactPathEntity]] = strawberry.field(
        description="The shortest few paths from the source, then up the roll-up."
    )
    actions: list[str]
    explanation: str


@strawberry.type
class ImpactTierCount:
    tier: str
    label: str
    rule: str = strawberry.field(description="The tier's rule in words.")
    formula: str = strawberry.field(description="The rule as the policy writes it.")
    count: int


@strawberry.type
class ImpactTotals:
    affected: int
    exposure_at_risk: float
    predicted_breaches: int
    by_tier: list[ImpactTierCount]


@strawberry.enum
class ReportFormat(Enum):
    TABLE = "table"
    MARKDOWN = "md"
    CSV = "csv"
    JSON = "json"
    HTML = "html"


@strawberry.type(name="ImpactReport", description="Affected targets, ranked and explained.")
class ImpactReportType:
    as_of: datetime = strawberry.field(description="The instant the report is computed for.")
    as_of_is_now: bool = strawberry.field(
        description="No asOf was given: the report ran as of the time of the request."
    )
    policy: str
    policy_revision: int = strawberry.field(
        description="The policy's own revision (1 when defined, +1 on each change)."
    )
    registry_version: int = strawberry.field(
        description="The registry's version when the report ran: it counts every change "
        "to every type and policy."
    )
    policy_version: int = strawberry.field(
        description="The registry's version.",
        deprecation_reason="It is the registry's version, not the policy's: use "
        "registryVersion, or policyRevision for the policy's own revision.",
    )
    currency: str | None = strawberry.field(
        description="The ISO 4217 code of every amount, when the policy names one."
    )
    signals: list[str] = strawberry.field(
        description="The signals the policy reads (of sla, exposure, complaints); one it "
        "does not read is neither scored nor explained."
    )
    source: strawberry.ID
    source_label: str
    delay_days: float
    targets: list[ImpactTarget]
    totals: ImpactTotals
    truncated: bool = strawberry.field(description="More targets were affected than listed.")
    _report: strawberry.Private[model.ImpactReport]

    @field("The report as a document: a terminal table, Markdown, CSV, JSON or HTML.")
    def rendered(self, format: ReportFormat) -> str:
        return render(self._report, format.value)

    @field(
        "The report as a file to download: the text `rendered` gives (what `graph-crm "
        "impact --format ... -o FILE` writes for the same arguments), its file name and "
        "media type. The CLI lists every affected target in a document: ask with "
        "limit: 10000 for the same rows."
    )
    def document(self, format: ReportFormat) -> ReportDocumentType:
        return ReportDocumentType.from_model(document(self._report, format.value))

    @classmethod
    def from_model(cls, report: model.ImpactReport) -> ImpactReportType:
        labels = report.labels
        return cls(
            as_of=report.as_of,
            as_of_is_now=report.as_of_is_now,
            policy=report.policy,
            policy_revision=report.policy_revision,
            registry_version=report.registry_version,
            policy_version=report.registry_version,
            currency=report.currency,
            signals=list(report.signals),
            source=strawberry.ID(report.source),
            source_label=report.source_label,
            delay_days=report.delay_days,
            targets=[_target(target, labels) for target in report.targets],
            totals=totals_of(report),
            truncated=report.truncated,
            _report=report,
        )


def totals_of(report: model.ImpactReport) -> ImpactTotals:
    """The report's totals, each tier of the policy with its count (0 included)."""
    return ImpactTotals(
        affected=report.totals.affected,
        exposure_at_risk=report.totals.exposure_at_risk,
        predicted_breaches=report.totals.predicted_breaches,
        by_tier=[
            ImpactTierCount(
                tier=tier.tier,
                label=tier.label,
                rule=tier.rule,
                formula=tier.formula,
                count=report.totals.by_tier.get(tier.tier, 0),
            )
            for tier in report.tiers
        ],
    )


def _target(target: model.RankedTarget, labels: dict[str, str]) -> ImpactTarget:
    return ImpactTarget(
        rank=target.rank,
        target=strawberry.ID(target.target),
        label=target.label,
        tier=target.tier,
        tier_label=target.tier_label,
        tier_rule=target.tier_rule,
        tier_formula=target.tier_formula,
        score=target.score,
        components=[
            ImpactComponent(
                name=c.name,
                value=c.value,
                weight=c.weight,
                contribution=c.contribution,
                reason=c.reason,
            )
            for c in target.components
        ],
        sla_buffer_days=target.sla_buffer_days,
        sla_deadline=target.sla_deadline,
        sla_entity=None if target.sla_entity is None else strawberry.ID(target.sla_entity),
        breach_predicted=target.breach_predicted,
        complaints=target.complaints,
        exposure=target.exposure,
        exposure_entities=target.exposure_entities,
        path_count=target.path_count,
        paths=[
            [ImpactPathEntity(id=strawberry.ID(i), label=labels.get(i, i)) for i in path]
            for path in target.paths
        ],
        actions=list(target.actions),
        explanation=target.explanation,
    )


def _policies(registry: Registry) -> list[ImpactPolicyType]:
    return [
        ImpactPolicyType.from_definition(definition)
        for _, definition in sorted(registry.policies.items())
    ]


@strawberry.type
class ImpactQuery:
    @field("Every stored impact policy, by name.")
    async def impact_policies(self, info: Info) -> list[ImpactPolicyType]:
        return _policies(info.context.registry)  # the request's, read with its key

    @field("One impact policy by name, or null.")
    async def impact_policy(self, info: Info, name: str) -> ImpactPolicyType | None:
        definition = info.context.registry.policies.get(name)
        return None if definition is None else ImpactPolicyType.from_definition(definition)

    @field(
        "Who is affected if `source` is delayed by `delayDays` (default 0: who it reaches), "
        "ranked and explained. policy: default the only one stored (several stored: an "
        "error naming them). asOf: an ISO date or date-time with zone (default now). "
        "Reads only: a what-if."
    )
    async def impact_report(
        self,
        info: Info,
        source: strawberry.ID,
        delay_days: float = DEFAULT_DELAY_DAYS,
        policy: str | None = None,
        as_of: str | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> ImpactReportType:
        with info.context.request.app.state.metrics.impact_report():
            report = await impact_report(
                info.context.store,
                policy=policy,
                source=str(source),
                delay_days=delay_days,
                as_of=as_of,
                limit=limit,
            )
        return ImpactReportType.from_model(report)


@strawberry.type
class ImpactMutation:
    @mutation("Define an impact policy (JSON as in seeds/policies), checked against the types.")
    async def define_impact_policy(self, info: Info, policy: JSON) -> ImpactPolicyResult:
        context = info.context

        async def run() -> ImpactPolicyPayload:
            registry = await context.store.define_impact_policy(
                cast(Any, policy), actor=context.actor
            )
            return _payload(registry, registry.policies.get(_name(policy)))

        return await as_result(run)

    @mutation("Replace the policy of the same name, checked like a new one.")
    async def alter_impact_policy(self, info: Info, policy: JSON) -> ImpactPolicyResult:
        context = info.context

        async def run() -> ImpactPolicyPayload:
            registry = await context.store.alter_impact_policy(
                cast(Any, policy), actor=context.actor
            )
            return _payload(registry, registry.policies.get(_name(policy)))

        return await as_result(run)

    @mutation("Drop an impact policy.")
    async def drop_impact_policy(self, info: Info, name: str) -> ImpactPolicyResult:
        context = info.context

        async def run() -> ImpactPolicyPayload:
            registry = await context.store.drop_impact_policy(name, actor=context.actor)
            return _payload(registry, None)

        return await as_result(run)


def _name(policy: Any) -> str:
    return str(policy.get("name", "")) if isinstance(policy, dict) else ""


def _payload(registry: Registry, definition: dict[str, Any] | None) -> ImpactPolicyPayload:
    found = None if definition is None else ImpactPolicyType.from_definition(definition)
    return ImpactPolicyPayload(schema_version=registry.version, policy=found)
