"""One impact report, end to end, for every caller (GraphQL, CLI, demo, benchmark).

Reads only: the registry (for the policy), one evaluation on the store, one light read
per entity type for the labels of what the report lists. A what-if report is just a report.

The defaults every front end shares live here, once: no policy named means the only
stored one (several stored: an error naming them), no delay means 0 days (who the
source reaches), no as-of time means now (and the report says so).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from graph_crm.clock import utc_now
from graph_crm.errors import GraphCrmError, InvalidInput
from graph_crm.impact.policy import Policy
from graph_crm.impact.policy_registry import stored_policy
from graph_crm.impact.rank import build_report, report_ids, with_labels
from graph_crm.impact.report import ImpactReport
from graph_crm.impact.report_inputs import (
    DEFAULT_DELAY_DAYS,
    DEFAULT_LIMIT,
    check_delay,
    check_limit,
    parse_as_of,
)
from graph_crm.model.records import global_id, parse_global_id
from graph_crm.model.registry import Registry
from graph_crm.store.base import GraphStore


async def impact_report(
    store: GraphStore,
    *,
    source: str,
    policy: str | None = None,
    delay_days: Any = DEFAULT_DELAY_DAYS,
    as_of: str | datetime | date | None = None,
    limit: Any = DEFAULT_LIMIT,
) -> ImpactReport:
    """The ranked report for ``source`` delayed by ``delay_days`` (None: 0), as of
    ``as_of`` (None: now), by ``policy`` (None: the only one stored)."""
    delay = check_delay(DEFAULT_DELAY_DAYS if delay_days is None else delay_days)
    moment = parse_as_of(as_of, now=utc_now())
    count = check_limit(limit)
    compiled = await load_policy(store, policy)
    # The report names its source as stored (NFC key), so its label is found.
    source = global_id(*parse_global_id(source, ("source",)))
    rows = await store.impact_rows(compiled.plan, source, as_of=moment, delay_days=delay)
    report = build_report(
        compiled, rows, source=source, delay_days=delay, as_of=moment, limit=count
    )
    if as_of is None:
        report = replace(report, as_of_is_now=True)
    return with_labels(report, await store.entity_labels(report_ids(report)))


async def load_policy(store: GraphStore, name: str | None = None) -> Policy:
    """Policy ``name`` compiled against the stored registry; None: the only one stored."""
    registry = await store.registry()
    name = only_policy(registry) if name is None else name
    try:
        return stored_policy(registry, name)
    except GraphCrmError as error:
        raise type(error)(error.message, path=("policy", *error.path)) from None


def only_policy(registry: Registry) -> str:
    """The name of the registry's only policy; none or several: an error that names them."""
    names = sorted(registry.policies)
    if len(names) == 1:
        return names[0]
    if not names:
        raise InvalidInput(
            "no impact policy is stored yet: define one (graph-crm policy define FILE, "
            "or the defineImpactPolicy mutation)",
            path=("policy",),
        )
    shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
    raise InvalidInput(
        f"{len(names)} impact policies are stored ({shown}): name the one to use",
        path=("policy",),
    )
