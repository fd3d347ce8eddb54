"""Failed authentication, throttled per client address.

Checking a key costs a store lookup, and anyone may send one. Each address that fails
gets a bucket of ``burst`` failures refilled at ``per_minute``; once it is empty, the
address is refused (429 ``AUTH_THROTTLED``, with Retry-After) before its key is looked
up. A success takes nothing. Only failing addresses are tracked, the least recently
failing forgotten first past ``max_addresses``, so neither traffic nor spoofed sources
grow the table without bound. IPv6 addresses count by their /64, which one host
usually holds whole.

While an address has failures on record, :meth:`AuthFailureThrottle.attempt` also
counts its attempts in flight against what is left, so a burst of concurrent wrong
keys cannot slip past a bucket that only learns of each failure after its lookup.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from starlette.requests import HTTPConnection

from graph_crm.api.role_limits import RateLimited
from graph_crm.auth.keys import Unauthenticated

UNKNOWN_ADDRESS: Final = "unknown"


class AuthThrottled(RateLimited):
    """Too many failed attempts to authenticate from one address (HTTP 429)."""

    code = "AUTH_THROTTLED"


def client_address(conn: HTTPConnection) -> str:
    """The peer's address as the server saw it (no proxy headers are trusted)."""
    return conn.client.host if conn.client else UNKNOWN_ADDRESS


def address_group(host: str | None) -> str:
    """What failures are counted under: an IPv4 address, an IPv6 address's /64 (an
    IPv4-mapped one as IPv4), anything else (a Unix socket's peer) as it is.

    >>> address_group("203.0.113.7")
    '203.0.113.7'
    >>> address_group("2001:db8:1:2:aaaa::1") == address_group("2001:db8:1:2:ffff::9")
    True
    >>> address_group("2001:db8:1:2:aaaa::1")
    '2001:db8:1:2::/64'
    >>> address_group("::ffff:203.0.113.7"), address_group(None)
    ('203.0.113.7', 'unknown')
    """
    if not host:
        return UNKNOWN_ADDRESS
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])  # no IPv6 zone (fe80::1%eth0)
    except ValueError:
        return host[:256]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass(slots=True)
class _Bucket:
    tokens: float  # failures this address may still make
    at: float
    pending: int = 0  # its attempts in flight


class AuthFailureThrottle:
    """A bucket of ``burst`` failures per address, refilled at ``per_minute``.

    >>> clock = iter([0.0, 0.0, 0.0, 6.0]).__next__
    >>> throttle = AuthFailureThrottle(burst=2, per_minute=10, clock=clock)
    >>> throttle.check("203.0.113.7")  # nothing on record: not tracked at all
    >>> throttle.failed("203.0.113.7"); throttle.failed("203.0.113.7")
    >>> throttle.check("203.0.113.7")
    Traceback (most recent call last):
    ...
    graph_crm.api.auth_throttle.AuthThrottled: AUTH_THROTTLED: too many failed attempts ... in 6 s
    >>> throttle.check("203.0.113.7")  # six seconds later, one more attempt may be made
    """

    def __init__(
        self,
        *,
        burst: int = 10,
        per_minute: float = 10.0,
        max_addresses: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if burst < 1 or per_minute <= 0 or max_addresses < 1:
            raise ValueError("burst, per_minute and max_addresses must be positive")
        self._burst = float(burst)
        self._per_second = per_minute / 60.0
        self._max_addresses = max_addresses
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many addresses are on record."""
        return len(self._buckets)

    def check(self, address: str | None) -> None:
        """Raise :class:`AuthThrottled` if ``address`` may not try now."""
        with self._lock:
            self._admit(address_group(address), reserve=False)

    def failed(self, address: str | None) -> None:
        """Record a failed attempt from ``address``."""
        with self._lock:
            self._fail(address_group(address))

    @contextlib.contextmanager
    def attempt(self, address: str | None) -> Iterator[None]:
        """:meth:`check`, then run the block: an :class:`Unauthenticated` raised in it is
        recorded as :meth:`failed`; anything else (a success, the store unavailable) not.
        """
        group = address_group(address)
        with self._lock:
            reserved = self._admit(group, reserve=True)
        try:
            yield
        except Unauthenticated:
            with self._lock:
                self._release(group, reserved)
                self._fail(group)
            raise
        except BaseException:
            with self._lock:
                self._release(group, reserved)
            raise
        with self._lock:
            self._release(group, reserved)

    def _refilled(self, group: str) -> _Bucket | None:
        bucket = self._buckets.get(group)
        if bucket is not None:
            now = self._clock()
            elapsed = max(0.0, now - bucket.at)
            bucket.tokens = min(self._burst, bucket.tokens + elapsed * self._per_second)
            bucket.at = max(bucket.at, now)
            if bucket.tokens >= self._burst and not bucket.pending:
                del self._buckets[group]  # all forgiven: the same as never on record
                return None
        return bucket

    def _admit(self, group: str, *, reserve: bool) -> _Bucket | None:
        bucket = self._refilled(group)
        if bucket is None:
            return None
        left = bucket.tokens - bucket.pending
        if left < 1.0:
            wait = (1.0 - left) / self._per_second
            raise AuthThrottled(
                f"too many failed attempts to authenticate from this address; "
                f"retry in {max(1, math.ceil(wait))} s",
                retry_after=wait,
            )
        if reserve:
            bucket.pending += 1
        return bucket if reserve else None

    def _release(self, group: str, reserved: _Bucket | None) -> None:
        if reserved is not None and self._buckets.get(group) is reserved:
            reserved.pending -= 1

    def _fail(self, group: str) -> None:
        bucket = self._refilled(group)
        if bucket is None:
            bucket = self._buckets[group] = _Bucket(tokens=self._burst, at=self._clock())
            while len(self._buckets) > self._max_addresses:
                self._buckets.popitem(last=False)
        self._buckets.move_to_end(group)
        bucket.tokens = max(0.0, bucket.tokens - 1.0)
