"""Operations refused to a caller's role, in the audit log: who tried what, and from where.

One record per key per ``interval`` at most, so a key cannot flood the log: the refusals
in between are counted, and the next record says how many (``summary.suppressed``).
Recording is best effort: a store that cannot take the record is logged, and the
refused request is answered as it would have been.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from graph_crm.clock import utc_now
from graph_crm.model.audit import AuditAction, AuditKind, AuditRecord, data_change
from graph_crm.store.base import GraphStore

#: Bounds on what a caller's document puts into a record.
MAX_NAME: Final = 128
MAX_FIELDS: Final = 32

logger = logging.getLogger("graph_crm.api")


@dataclass(frozen=True, slots=True)
class ForbiddenAttempt:
    """An operation refused before it ran: who asked (actor, role, key id), from which
    address, the operation's name (None if unnamed) and the root fields refused."""

    actor: str
    role: str
    key_id: str
    client: str
    operation: str | None
    refused: Sequence[str]


def forbidden_record(attempt: ForbiddenAttempt, suppressed: int, at: datetime) -> AuditRecord:
    """The ``access.denied`` record of ``attempt``; ``suppressed``: the key's refusals
    not recorded since its last record.

    >>> from datetime import UTC
    >>> attempt = ForbiddenAttempt("key:0a1b (bot)", "analyst", "0a1b", "203.0.113.7",
    ...                            "Grab", ["auditLog", "defineEntityType"])
    >>> record = forbidden_record(attempt, 3, datetime(2026, 12, 1, tzinfo=UTC))
    >>> record.action.value, record.kind.value, record.type_name, record.summary
    ('access.denied', 'operation', None, {'suppressed': 3})
    >>> record.after["refused"], record.after["client"]
    (['auditLog', 'defineEntityType'], '203.0.113.7')
    """
    details: dict[str, Any] = {
        "role": attempt.role,
        "keyId": attempt.key_id,
        "client": attempt.client[:MAX_NAME],
        "operation": None if attempt.operation is None else attempt.operation[:MAX_NAME],
        "refused": [field[:MAX_NAME] for field in attempt.refused[:MAX_FIELDS]],
    }
    return data_change(
        attempt.actor,
        AuditAction.ACCESS_DENIED,
        AuditKind.OPERATION,
        None,
        (),
        {"suppressed": suppressed},
        at=at,
        after=details,
    )


class ForbiddenAuditor:
    """Records refused operations, at most one per key per ``interval`` seconds.

    >>> clock = iter([0.0, 4.0, 9.0, 10.0]).__next__
    >>> auditor = ForbiddenAuditor(interval=10.0, clock=clock)
    >>> [auditor.due("k") for _ in range(4)]  # on record now, with how many went unrecorded
    [0, None, None, 2]
    """

    def __init__(
        self,
        *,
        interval: float = 10.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = interval
        self._max_keys = max_keys
        self._clock = clock
        self._keys: OrderedDict[str, tuple[float, int]] = OrderedDict()  # (recorded at, since)
        self._lock = threading.Lock()

    def due(self, key_id: str) -> int | None:
        """None if a refusal by ``key_id`` is not to be recorded now (it is counted), else
        how many of its refusals went unrecorded since its last record."""
        with self._lock:
            now = self._clock()
            last = self._keys.get(key_id)
            if last is not None and now - last[0] < self._interval:
                self._keys[key_id] = (last[0], last[1] + 1)
                return None
            self._keys[key_id] = (now, 0)
            self._keys.move_to_end(key_id)
            while len(self._keys) > self._max_keys:
                self._keys.popitem(last=False)
            return 0 if last is None else last[1]

    async def refused(self, store: GraphStore, attempt: ForbiddenAttempt) -> bool:
        """Record ``attempt`` if its key is due; whether a record was stored. Never raises
        for the store: a record it refuses is logged, and its count carried over."""
        suppressed = self.due(attempt.key_id)
        if suppressed is None:
            return False
        try:
            await store.record_audit(forbidden_record(attempt, suppressed, utc_now()))
        except Exception:
            logger.exception("could not record a refused operation of key %s", attempt.key_id)
            self._carry(attempt.key_id, suppressed + 1)
            return False
        return True

    def _carry(self, key_id: str, unrecorded: int) -> None:
        with self._lock:
            at, since = self._keys.get(key_id, (self._clock(), 0))
            self._keys[key_id] = (at, since + unrecorded)
