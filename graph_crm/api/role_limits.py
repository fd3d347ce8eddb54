"""What one caller may ask for, by role: body size, page size, traversal depth, query
depth and cost, and requests per minute per key.

The global bounds in :mod:`graph_crm.api.limits` still hold for everyone (they protect
the parser before anyone is known); these are tighter where a role has no need for more.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from graph_crm.api.limits import MAX_BODY_BYTES, MAX_DEPTH, MAX_FIRST
from graph_crm.auth.roles import Role
from graph_crm.errors import GraphCrmError, LimitExceeded
from graph_crm.model.traversal import MAX_DEPTH as MAX_TRAVERSAL_DEPTH

_MIB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RoleLimits:
    body_bytes: int
    page_size: int  # `first` of a page or of a relation list per parent
    traversal_depth: int  # hops of `traverse`
    query_depth: int  # selection depth of a GraphQL operation
    cost: int  # estimated objects an operation may return (api/cost.py)
    requests_per_minute: int  # per key, per server process


ROLE_LIMITS: Final[dict[Role, RoleLimits]] = {
    Role.ANALYST: RoleLimits(1 * _MIB, MAX_FIRST, 8, 12, 250_000, 600),
    Role.RISK: RoleLimits(1 * _MIB, MAX_FIRST, 8, 12, 1_000_000, 600),
    Role.CONFIG_OFFICER: RoleLimits(1 * _MIB, 100, 6, 12, 250_000, 120),
    Role.INTEGRATION: RoleLimits(MAX_BODY_BYTES, MAX_FIRST, 6, 12, 250_000, 1_200),
    Role.ADMIN: RoleLimits(
        MAX_BODY_BYTES, MAX_FIRST, MAX_TRAVERSAL_DEPTH, MAX_DEPTH, 1_000_000, 600
    ),
}


class RateLimited(GraphCrmError):
    """Too many requests from one key (HTTP 429, with Retry-After)."""

    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def refill(tokens: float, at: float, now: float, per_minute: int) -> tuple[float, float]:
    """A bucket of ``tokens`` last seen at ``at``, refilled to ``now`` and asked for one
    request: the tokens left, and 0 if the request may go, else the seconds to wait.

    >>> refill(0.5, 0.0, 15.0, 2)  # a quarter of a minute brings half a token back
    (0.0, 0.0)
    >>> refill(0.0, 0.0, 15.0, 2)
    (0.5, 15.0)
    """
    tokens = min(float(per_minute), tokens + max(0.0, now - at) * per_minute / 60.0)
    if tokens < 1.0:
        return tokens, (1.0 - tokens) * 60.0 / per_minute
    return tokens - 1.0, 0.0


def rate_limited(per_minute: int, wait: float) -> RateLimited:
    return RateLimited(
        f"more than {per_minute} requests a minute with this key; "
        f"retry in {max(1, math.ceil(wait))} s",
        retry_after=wait,
    )


class RateLimiter:
    """A token bucket per key: ``per_minute`` requests a minute, bursts up to that many.

    The buckets live in this process; :class:`~graph_crm.api.shared_buckets.SharedRateLimiter`
    keeps them where every worker of one ``graph-crm serve`` sees them.

    >>> clock = iter([0.0, 0.0, 0.0, 30.0]).__next__
    >>> limiter = RateLimiter(clock=clock)
    >>> limiter.take("k", 2); limiter.take("k", 2)
    >>> limiter.take("k", 2)
    Traceback (most recent call last):
    ...
    graph_crm.api.role_limits.RateLimited: RATE_LIMITED: more than 2 requests a minute ... in 30 s
    >>> limiter.take("k", 2)  # half a minute later, one request's worth is back
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str, per_minute: int) -> None:
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(key, (float(per_minute), now))
            tokens, wait = refill(tokens, at, now, per_minute)
            self._buckets[key] = (tokens, max(at, now))
        if wait:
            raise rate_limited(per_minute, wait)


def check_page_size(first: int, limits: RoleLimits) -> int:
    if not 0 <= first <= limits.page_size:
        raise LimitExceeded(
            f"first must be between 0 and {limits.page_size} for this role", path=("first",)
        )
    return first


def traversal_depth(max_depth: int | None, limits: RoleLimits) -> int:
    """The hops a traversal may take: what was asked, within the role's bound."""
    if max_depth is None:
        return limits.traversal_depth
    if max_depth > limits.traversal_depth:
        raise LimitExceeded(
            f"maxDepth may be at most {limits.traversal_depth} for this role",
            path=("maxDepth",),
        )
    return max_depth
