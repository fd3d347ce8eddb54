"""Outbound webhooks and their deliveries as every backend stores them, written once.

Each backend keeps a webhook as its record (JSON), a delivery as one row or node keyed
by its id with its webhook, status and ``due`` beside its whole record as JSON text,
and one fan-out cursor. A claim and a change read the stored delivery under the
backend's write lock, change it here, and write it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from graph_crm.errors import InvalidInput
from graph_crm.incidents.delivery import (
    Attempt,
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    check_delivery_id,
)
from graph_crm.incidents.events import LeaseLost
from graph_crm.incidents.webhook import check_webhook_id

#: The most deliveries one page of the log holds.
MAX_DELIVERY_PAGE: Final = 500


@dataclass(frozen=True, slots=True)
class DeliveryQuery:
    webhook_id: str | None
    status: str | None
    after: str | None
    first: int


def check_delivery_query(
    webhook_id: object, status: object, first: object, after: object
) -> DeliveryQuery:
    """The delivery log's arguments checked; InvalidInput at the argument's name."""
    if webhook_id is not None:
        try:
            check_webhook_id(webhook_id)
        except InvalidInput as error:
            raise InvalidInput(error.message, path=("webhookId",)) from None
    if status is not None and status not in {s.value for s in DeliveryStatus}:
        known = ", ".join(s.value for s in DeliveryStatus)
        raise InvalidInput(f"a delivery status is one of {known}", path=("status",))
    if isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= MAX_DELIVERY_PAGE:
        raise InvalidInput(
            f"first must be a whole number from 1 to {MAX_DELIVERY_PAGE}", path=("first",)
        )
    if after is not None:
        try:
            check_delivery_id(after)
        except InvalidInput as error:
            raise InvalidInput(error.message, path=("after",)) from None
    return DeliveryQuery(
        webhook_id=webhook_id,  # type: ignore[arg-type]
        status=None if status is None else str(status),
        after=after,  # type: ignore[arg-type]
        first=first,
    )


def delivery_row(delivery: Delivery) -> dict[str, Any]:
    """The columns (SQLite) or properties (Neo4j) of a stored delivery."""
    return {
        "id": delivery.id,
        "webhookId": delivery.webhook_id,
        "seq": delivery.seq,
        "status": delivery.status.value,
        "due": delivery.due,
        "record": delivery.to_text(),
    }


def attempted(
    owner: str, attempt: Attempt, policy: RetryPolicy, jitter: float
) -> Callable[[Delivery], Delivery]:
    """The change recording ``attempt`` of a delivery ``owner`` holds (else LeaseLost)."""

    def change(stored: Delivery) -> Delivery:
        if stored.status is not DeliveryStatus.DELIVERING or stored.lease_owner != owner:
            raise LeaseLost(f"the lease on delivery {stored.id!r} is no longer {owner!r}'s")
        return stored.attempted(attempt, policy, jitter=jitter)

    return change
