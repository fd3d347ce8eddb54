"""Per affected customer, the plan's actions as a checklist (pure).

Each item is one action of one customer's plan: done or not, by whom, when. A new
version builds the list again from its reports; an item of a customer still affected
with the same action keeps what was checked, so re-evaluating never loses work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from graph_crm.errors import InvalidInput, NotFound
from graph_crm.impact.report import ImpactReport


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    target: str  # the customer's global id
    label: str
    action: str
    done: bool = False
    by: str | None = None
    at: datetime | None = None

    @property
    def slot(self) -> tuple[str, str]:
        return (self.target, self.action)


def build_checklist(
    reports: Sequence[ImpactReport], previous: Iterable[ChecklistItem] = ()
) -> tuple[ChecklistItem, ...]:
    """One item per (customer, action) of the reports' targets, in report and rank order
    (an action two policies share is listed once); items of ``previous`` still there keep
    their state.
    """
    kept = {item.slot: item for item in previous}
    items: dict[tuple[str, str], ChecklistItem] = {}
    for report in reports:
        for target in report.targets:
            for action in target.actions:
                slot = (target.target, action)
                if slot in items:
                    continue
                before = kept.get(slot)
                item = ChecklistItem(target.target, target.label, action)
                if before is not None:
                    item = replace(item, done=before.done, by=before.by, at=before.at)
                items[slot] = item
    return tuple(items.values())


def check_item(
    items: Sequence[ChecklistItem],
    target: str,
    action: str,
    *,
    done: bool,
    actor: str,
    at: datetime,
) -> tuple[ChecklistItem, ...]:
    """The checklist with ``target``'s ``action`` marked done (or not done) by ``actor``
    at ``at``. An item that is not on the list is NotFound at ``target`` or ``action``."""
    if not isinstance(done, bool):
        raise InvalidInput("done must be true or false", path=("done",))
    if not any(item.target == target for item in items):
        raise NotFound(
            f"{str(target)[:80]!r} is not on this incident's checklist", path=("target",)
        )
    if (target, action) not in {item.slot for item in items}:
        raise NotFound(
            f"{str(action)[:80]!r} is not an action of {target!r} on this incident",
            path=("action",),
        )
    return tuple(
        replace(item, done=done, by=actor, at=at) if item.slot == (target, action) else item
        for item in items
    )
