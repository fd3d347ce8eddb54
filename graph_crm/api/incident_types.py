"""Incidents in the core schema: their GraphQL types (see :mod:`graph_crm.incidents`).

A version's reports are the ``ImpactReport`` type ``impactReport`` answers with, so a
client reads a stored version as it reads a live report.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Final

import strawberry

from graph_crm.api.context import Info, field
from graph_crm.api.errors import Error
from graph_crm.api.impact import ImpactReportType
from graph_crm.api.types import PageInfo
from graph_crm.errors import LimitExceeded
from graph_crm.incidents import diff as diffs
from graph_crm.incidents.checklist import ChecklistItem
from graph_crm.incidents.incident import Incident
from graph_crm.incidents.version import IncidentVersion

#: The most versions one read of ``Incident.versions`` returns (each holds whole reports).
MAX_VERSIONS: Final = 20


@strawberry.enum(name="IncidentStatus", description="OPEN -> ACKNOWLEDGED -> RESOLVED.")
class IncidentStatusEnum(Enum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


@strawberry.type(name="IncidentNote")
class IncidentNoteType:
    at: datetime
    author: str
    text: str


@strawberry.type(
    name="IncidentAction",
    description="One action of an affected customer's plan, on the incident's checklist.",
)
class IncidentActionType:
    target: strawberry.ID
    label: str
    action: str
    done: bool
    by: str | None = strawberry.field(description="Who last checked or unchecked it.")
    at: datetime | None

    @classmethod
    def from_model(cls, item: ChecklistItem) -> IncidentActionType:
        return cls(
            target=strawberry.ID(item.target),
            label=item.label,
            action=item.action,
            done=item.done,
            by=item.by,
            at=item.at,
        )


@strawberry.type(name="IncidentTierCount")
class IncidentTierCountType:
    tier: str
    count: int


@strawberry.type(
    name="IncidentTotals",
    description="Summed over the version's policies (a customer two policies reach counts twice).",
)
class IncidentTotalsType:
    affected: int
    predicted_breaches: int
    exposure_at_risk: float
    by_tier: list[IncidentTierCountType]


@strawberry.type(name="IncidentDiffTarget")
class IncidentDiffTargetType:
    target: strawberry.ID
    label: str
    tier: str
    rank: int

    @classmethod
    def from_model(cls, target: diffs.DiffTarget) -> IncidentDiffTargetType:
        return cls(
            target=strawberry.ID(target.target),
            label=target.label,
            tier=target.tier,
            rank=target.rank,
        )


@strawberry.type(name="IncidentTierChange")
class IncidentTierChangeType:
    target: strawberry.ID
    label: str
    from_tier: str
    to_tier: str
    from_rank: int
    to_rank: int
    reason: str = strawberry.field(description="The rule that fired now, with its values.")


@strawberry.type(
    name="IncidentPolicyDiff",
    description="From the previous version to this one, for one policy: customers who "
    "entered, who left, whose tier changed.",
)
class IncidentPolicyDiffType:
    policy: str
    entered: list[IncidentDiffTargetType]
    left: list[IncidentDiffTargetType]
    tier_changes: list[IncidentTierChangeType]
    unchanged: int
    complete: bool = strawberry.field(description="No report of the two was cut by a limit.")

    @classmethod
    def from_model(cls, diff: diffs.PolicyDiff) -> IncidentPolicyDiffType:
        return cls(
            policy=diff.policy,
            entered=[IncidentDiffTargetType.from_model(t) for t in diff.entered],
            left=[IncidentDiffTargetType.from_model(t) for t in diff.left],
            tier_changes=[
                IncidentTierChangeType(
                    target=strawberry.ID(c.target),
                    label=c.label,
                    from_tier=c.from_tier,
                    to_tier=c.to_tier,
                    from_rank=c.from_rank,
                    to_rank=c.to_rank,
                    reason=c.reason,
                )
                for c in diff.tier_changes
            ],
            unchanged=diff.unchanged,
            complete=diff.complete,
        )


@strawberry.type(name="IncidentVersion", description="One evaluation of an incident: immutable.")
class IncidentVersionType:
    number: int
    created_at: datetime
    reason: str = strawberry.field(
        description="opened, delay updated, reported again or re-evaluated."
    )
    delay_days: float
    totals: IncidentTotalsType
    reports: list[ImpactReportType] = strawberry.field(
        description="One report per impact policy of the source's type, by policy name."
    )
    diff: list[IncidentPolicyDiffType] = strawberry.field(
        description="Per policy, what changed since the previous version (the first: "
        "every customer entered)."
    )
    changes: list[str] = strawberry.field(
        description="Re-evaluated: what the writes that caused it changed, as the policies "
        "read it: an entity type (`Shipment`), a property (`Contract.slaDeadline`), a "
        "relation type (`ROUTED_VIA`) or `policy <name>`; empty for other versions."
    )

    @classmethod
    def from_model(cls, version: IncidentVersion) -> IncidentVersionType:
        totals = version.totals
        return cls(
            number=version.number,
            created_at=version.created_at,
            reason=version.reason.value,
            delay_days=version.delay_days,
            totals=IncidentTotalsType(
                affected=totals.affected,
                predicted_breaches=totals.predicted_breaches,
                exposure_at_risk=totals.exposure_at_risk,
                by_tier=[
                    IncidentTierCountType(tier=tier, count=count)
                    for tier, count in sorted(totals.by_tier.items())
                ],
            ),
            reports=[ImpactReportType.from_model(report) for report in version.reports],
            diff=[IncidentPolicyDiffType.from_model(policy) for policy in version.diff.policies],
            changes=list(version.changes),
        )


@strawberry.type(name="IncidentVersionPage", description="Some of an incident's versions.")
class IncidentVersionPage:
    items: list[IncidentVersionType]
    has_more: bool = strawberry.field(description="More versions follow the last one listed.")


@strawberry.type(
    name="Incident",
    description="A disruption at a source, its report versions and the team's work on it.",
)
class IncidentType:
    id: strawberry.ID
    source: strawberry.ID
    delay_days: float
    starts_at: datetime
    note: str
    status: IncidentStatusEnum
    owner: str | None
    opened_at: datetime
    opened_by: str
    updated_at: datetime
    revision: int = strawberry.field(
        description="+1 on every change; pass it to a change to refuse it if someone "
        "else changed the incident since you read it (STALE_REVISION)."
    )
    version: int = strawberry.field(description="The number of the latest version.")
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    notes: list[IncidentNoteType]
    checklist: list[IncidentActionType]

    @field(
        f"Its versions numbered after `since`, oldest first, at most `first` (1 to "
        f"{MAX_VERSIONS}): the next page starts after the last number listed."
    )
    async def versions(self, info: Info, since: int = 0, first: int = 5) -> IncidentVersionPage:
        if isinstance(first, bool) or not 1 <= first <= MAX_VERSIONS:
            raise LimitExceeded(f"first must be from 1 to {MAX_VERSIONS}", path=("first",))
        found = await info.context.store.incident_versions(str(self.id), since=since)
        return IncidentVersionPage(
            items=[IncidentVersionType.from_model(version) for version in found[:first]],
            has_more=len(found) > first,
        )

    @classmethod
    def from_model(cls, incident: Incident) -> IncidentType:
        return cls(
            id=strawberry.ID(incident.id),
            source=strawberry.ID(incident.source),
            delay_days=incident.delay_days,
            starts_at=incident.starts_at,
            note=incident.note,
            status=IncidentStatusEnum(incident.status.value),
            owner=incident.owner,
            opened_at=incident.opened_at,
            opened_by=incident.opened_by,
            updated_at=incident.updated_at,
            revision=incident.revision,
            version=incident.version,
            acknowledged_at=incident.acknowledged_at,
            acknowledged_by=incident.acknowledged_by,
            resolved_at=incident.resolved_at,
            resolved_by=incident.resolved_by,
            notes=[IncidentNoteType(at=n.at, author=n.author, text=n.text) for n in incident.notes],
            checklist=[IncidentActionType.from_model(item) for item in incident.checklist],
        )


@strawberry.type(name="IncidentEdge")
class IncidentEdgeType:
    cursor: str
    node: IncidentType


@strawberry.type(name="IncidentConnection")
class IncidentConnectionType:
    total_count: int
    edges: list[IncidentEdgeType]
    page_info: PageInfo


@strawberry.type(name="IncidentPayload")
class IncidentPayloadType:
    incident: IncidentType
    version: IncidentVersionType | None = strawberry.field(
        description="The version this change stored (reportDisruption), else null."
    )
    opened: bool = strawberry.field(description="reportDisruption opened a new incident.")


IncidentResult = Annotated[IncidentPayloadType | Error, strawberry.union("IncidentResult")]


@strawberry.input(name="IncidentFilter")
class IncidentFilterInput:
    status: list[IncidentStatusEnum] | None = None
    source: strawberry.ID | None = strawberry.field(
        default=None, description='A global id, "<Type>:<key>".'
    )


@strawberry.input(name="DisruptionSourceInput", description="The entity that is disrupted.")
class DisruptionSourceInput:
    type: str = strawberry.field(description="Its entity type, e.g. Warehouse.")
    key: str
