"""A webhook's delivery of one feed change (pure): ``pending`` until a worker leases it
(``delivering``), then ``delivered`` on a 2xx answer, else ``pending`` again after an
exponential backoff, until its attempts run out: then ``dead`` (a dead letter), which
an admin may replay (``pending`` again, due at once).

There is one delivery per (webhook, change): its id is made of both, so fanning out
the same change twice stores it once, and a receiver dedupes on it.

>>> policy = RetryPolicy(max_attempts=5, base_seconds=5.0, cap_seconds=60.0)
>>> [policy.backoff_seconds(n, jitter=0.5) for n in range(1, 6)]
[5.0, 10.0, 20.0, 40.0, 60.0]
>>> delivery_id("00000000000000a1", 42)
'00000000000000a1-000000000042'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from graph_crm.errors import InvalidInput
from graph_crm.model.values import datetime_to_text

DELIVERY_ID_PATTERN: Final = re.compile(r"[0-9a-f]{16}-[0-9]{12}")
#: The most characters of a receiver's answer an attempt keeps.
MAX_EXCERPT: Final = 200


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    DEAD = "dead"


#: What a worker may claim (``delivering`` only once its lease ran out).
CLAIMABLE: Final = (DeliveryStatus.PENDING.value, DeliveryStatus.DELIVERING.value)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 5.0
    cap_seconds: float = 600.0

    def backoff_seconds(self, attempt: int, *, jitter: float) -> float:
        """The wait after failed attempt number ``attempt`` (1, 2, …): base·2^(n-1),
        capped, spread by ±20% with ``jitter`` in [0, 1] (0.5: none). The spread keeps
        the gaps growing (x2 outweighs 1.2/0.8) until the cap."""
        plain = min(self.cap_seconds, self.base_seconds * 2.0 ** (attempt - 1))
        return plain * (0.8 + 0.4 * jitter)


@dataclass(frozen=True, slots=True)
class Attempt:
    number: int
    at: datetime
    duration_ms: int
    #: The receiver's HTTP status, None if none came (a timeout, a refused connection).
    status_code: int | None
    #: Why it failed ("HTTP 500", "timed out after 5 s", …), None if it was delivered.
    error: str | None
    #: The start of the receiver's answer, at most MAX_EXCERPT characters.
    excerpt: str = ""

    def to_record(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "at": datetime_to_text(self.at),
            "durationMs": self.duration_ms,
            "statusCode": self.status_code,
            "error": self.error,
            "excerpt": self.excerpt,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Attempt:
        return cls(
            number=record["number"],
            at=datetime.fromisoformat(record["at"]).astimezone(UTC),
            duration_ms=record["durationMs"],
            status_code=record["statusCode"],
            error=record["error"],
            excerpt=record["excerpt"],
        )


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    webhook_id: str
    seq: int
    incident_id: str
    status: DeliveryStatus
    #: Unix time when it is due (pending), or when its lease ends (delivering).
    due: float
    created_at: datetime
    attempts: tuple[Attempt, ...] = ()
    lease_owner: str | None = None
    delivered_at: datetime | None = None
    #: How many times an admin replayed it from the dead letters.
    replays: int = 0
    #: The attempts made before the last replay (they count no more toward the limit).
    replay_mark: int = 0

    def claimed(self, owner: str, *, now: float, lease_seconds: float) -> Delivery:
        return replace(
            self, status=DeliveryStatus.DELIVERING, lease_owner=owner, due=now + lease_seconds
        )

    def attempted(self, attempt: Attempt, policy: RetryPolicy, *, jitter: float) -> Delivery:
        """After ``attempt``: delivered, due again after a backoff, or dead when this was
        the last of ``policy.max_attempts`` (counted since the last replay)."""
        attempts = (*self.attempts, attempt)
        if attempt.error is None:
            return replace(
                self,
                status=DeliveryStatus.DELIVERED,
                attempts=attempts,
                lease_owner=None,
                delivered_at=attempt.at,
            )
        tries = sum(1 for made in attempts if made.number > self.replay_mark)
        if tries >= policy.max_attempts:
            return replace(self, status=DeliveryStatus.DEAD, attempts=attempts, lease_owner=None)
        wait = policy.backoff_seconds(tries, jitter=jitter)
        return replace(
            self,
            status=DeliveryStatus.PENDING,
            attempts=attempts,
            lease_owner=None,
            due=attempt.at.timestamp() + wait,
        )

    def replayed(self, *, now: float) -> Delivery:
        """A dead letter due again at once, with a fresh set of attempts; else
        InvalidInput at ``id`` (only a dead letter is replayed)."""
        if self.status is not DeliveryStatus.DEAD:
            raise InvalidInput(
                f"delivery {self.id} is {self.status.value}: only a dead one is replayed",
                path=("id",),
            )
        return replace(
            self,
            status=DeliveryStatus.PENDING,
            due=now,
            replays=self.replays + 1,
            replay_mark=len(self.attempts),
        )

    def to_text(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "webhookId": self.webhook_id,
                "seq": self.seq,
                "incidentId": self.incident_id,
                "status": self.status.value,
                "due": self.due,
                "createdAt": datetime_to_text(self.created_at),
                "attempts": [attempt.to_record() for attempt in self.attempts],
                "leaseOwner": self.lease_owner,
                "deliveredAt": None
                if self.delivered_at is None
                else datetime_to_text(self.delivered_at),
                "replays": self.replays,
                "replayMark": self.replay_mark,
            }
        )

    @classmethod
    def from_text(cls, text: str) -> Delivery:
        record = json.loads(text)
        delivered = record["deliveredAt"]
        return cls(
            id=record["id"],
            webhook_id=record["webhookId"],
            seq=record["seq"],
            incident_id=record["incidentId"],
            status=DeliveryStatus(record["status"]),
            due=record["due"],
            created_at=datetime.fromisoformat(record["createdAt"]).astimezone(UTC),
            attempts=tuple(Attempt.from_record(a) for a in record["attempts"]),
            lease_owner=record["leaseOwner"],
            delivered_at=None if delivered is None else datetime.fromisoformat(delivered),
            replays=record["replays"],
            replay_mark=record["replayMark"],
        )


def delivery_id(webhook_id: str, seq: int) -> str:
    return f"{webhook_id}-{seq:012d}"


def check_delivery_id(value: object) -> str:
    if not isinstance(value, str) or DELIVERY_ID_PATTERN.fullmatch(value) is None:
        raise InvalidInput(
            f"a delivery id is a webhook id, '-' and 12 digits, not {str(value)[:40]!r}",
            path=("id",),
        )
    return value


def new_delivery(webhook_id: str, seq: int, incident_id: str, *, now: datetime) -> Delivery:
    return Delivery(
        id=delivery_id(webhook_id, seq),
        webhook_id=webhook_id,
        seq=seq,
        incident_id=incident_id,
        status=DeliveryStatus.PENDING,
        due=now.timestamp(),
        created_at=now,
    )
