"""Deliveries (pure): the backoff schedule, retries then a dead letter, replay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.incidents.delivery import (
    Attempt,
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    check_delivery_id,
    new_delivery,
)
from tests.incidents.made import INCIDENT_ID, T0

POLICY = RetryPolicy(max_attempts=3, base_seconds=5.0, cap_seconds=600.0)


def _attempt(number: int, status: int | None = 500, minutes: int = 0) -> Attempt:
    error = None if status is not None and 200 <= status < 300 else f"HTTP {status}"
    return Attempt(number, T0 + timedelta(minutes=minutes), 10, status, error, "")


def test_the_backoff_doubles_up_to_the_cap_and_jitter_keeps_it_growing() -> None:
    policy = RetryPolicy(max_attempts=10, base_seconds=5.0, cap_seconds=100.0)
    assert [policy.backoff_seconds(n, jitter=0.5) for n in range(1, 7)] == [
        5.0, 10.0, 20.0, 40.0, 80.0, 100.0,
    ]  # fmt: skip
    assert policy.backoff_seconds(1, jitter=0.0) == pytest.approx(4.0)
    assert policy.backoff_seconds(1, jitter=1.0) == pytest.approx(6.0)
    for n in range(1, 5):  # the slowest next gap still exceeds the fastest one before
        assert policy.backoff_seconds(n + 1, jitter=0.0) > policy.backoff_seconds(n, jitter=1.0)


def test_failures_are_retried_after_a_backoff_then_dead() -> None:
    delivery = new_delivery("00000000000000a1", 3, INCIDENT_ID, now=T0)
    first = delivery.claimed("w", now=T0.timestamp(), lease_seconds=30).attempted(
        _attempt(1), POLICY, jitter=0.5
    )
    assert (first.status, first.due, first.lease_owner) == (
        DeliveryStatus.PENDING,
        T0.timestamp() + 5.0,
        None,
    )
    second = first.attempted(_attempt(2), POLICY, jitter=0.5)
    assert second.due == T0.timestamp() + 10.0
    dead = second.attempted(_attempt(3), POLICY, jitter=0.5)
    assert dead.status is DeliveryStatus.DEAD
    assert len(dead.attempts) == 3
    replayed = dead.replayed(now=T0.timestamp() + 99)
    assert (replayed.status, replayed.due, replayed.replays) == (
        DeliveryStatus.PENDING,
        T0.timestamp() + 99,
        1,
    )
    # a replay gets a fresh set of attempts; the log keeps the old ones
    again = replayed.attempted(_attempt(4), POLICY, jitter=0.5)
    assert again.status is DeliveryStatus.PENDING
    assert again.due == T0.timestamp() + 5.0
    done = again.attempted(_attempt(5, status=204), POLICY, jitter=0.5)
    assert done.status is DeliveryStatus.DELIVERED
    assert done.delivered_at == T0
    assert Delivery.from_text(done.to_text()) == done
    with pytest.raises(InvalidInput):
        done.replayed(now=0.0)


@pytest.mark.parametrize("value", ["", "00000000000000a1", "00000000000000a1-1", "x' OR 1=1", 7])
def test_malformed_delivery_ids_are_refused(value: object) -> None:
    with pytest.raises(InvalidInput):
        check_delivery_id(value)
