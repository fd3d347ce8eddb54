"""One impact report, end to end, for every caller (GraphQL, CLI, demo, benchmark).

Reads only: the registry (for the policy), one evaluation on the store, one light read
per entity type for the labels of what the report lists. A what-if report is just a report.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from graph_crm.clock import utc_now
from graph_crm.errors import GraphCrmError
from graph_crm.impact.policy import Policy
from graph_crm.impact.policy_registry import stored_policy
from graph_crm.impact.rank import build_report, report_ids, with_labels
from graph_crm.impact.report import ImpactReport
from graph_crm.impact.report_inputs import DEFAULT_LIMIT, check_delay, check_limit, parse_as_of
from graph_crm.model.records import global_id, parse_global_id
from graph_crm.store.base import GraphStore


async def impact_report(
    store: GraphStore,
    *,
    policy: str,
    source: str,
    delay_days: Any,
    as_of: str | datetime | date | None = None,
    limit: Any = DEFAULT_LIMIT,
) -> ImpactReport:
    """The ranked report for ``source`` delayed by ``delay_days``, as of ``as_of`` (or now)."""
    delay = check_delay(delay_days)
    moment = parse_as_of(as_of, now=utc_now())
    count = check_limit(limit)
    compiled = await load_policy(store, policy)
    # The report names its source as stored (NFC key), so its label is found.
    source = global_id(*parse_global_id(source, ("source",)))
    rows = await store.impact_rows(compiled.plan, source, as_of=moment)
    report = build_report(
        compiled, rows, source=source, delay_days=delay, as_of=moment, limit=count
    )
    return with_labels(report, await store.entity_labels(report_ids(report)))


async def load_policy(store: GraphStore, name: str) -> Policy:
    registry = await store.registry()
    try:
        return stored_policy(registry, name)
    except GraphCrmError as error:
        raise type(error)(error.message, path=("policy", *error.path)) from None
