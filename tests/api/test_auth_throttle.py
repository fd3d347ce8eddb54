"""Failed authentication is throttled per client address (api/auth_throttle.py)."""

from __future__ import annotations

import pytest

from graph_crm.api.auth_throttle import AuthFailureThrottle, AuthThrottled, address_group
from graph_crm.api.role_limits import RateLimited
from graph_crm.auth.keys import Unauthenticated
from graph_crm.errors import StoreUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def fail(throttle: AuthFailureThrottle, address: str) -> None:
    with pytest.raises(Unauthenticated), throttle.attempt(address):
        raise Unauthenticated("the API key is not valid")


def test_an_address_is_refused_after_its_burst_of_failures_until_the_bucket_refills() -> None:
    clock = Clock()
    throttle = AuthFailureThrottle(burst=5, per_minute=6, clock=clock)
    for _ in range(5):
        fail(throttle, "203.0.113.7")
    with pytest.raises(AuthThrottled) as refused:
        throttle.check("203.0.113.7")
    assert isinstance(refused.value, RateLimited)  # answered 429 with Retry-After
    assert refused.value.code == "AUTH_THROTTLED"
    assert refused.value.retry_after == pytest.approx(10.0)
    # refused attempts do not run the block, so they cost no lookup and add no failure
    ran = False
    with pytest.raises(AuthThrottled), throttle.attempt("203.0.113.7"):
        ran = True
    assert not ran
    throttle.check("198.51.100.1")  # another address is not held back
    clock.now += 9.9
    with pytest.raises(AuthThrottled):
        throttle.check("203.0.113.7")
    clock.now += 0.1
    throttle.check("203.0.113.7")  # one failure's worth is back
    fail(throttle, "203.0.113.7")
    with pytest.raises(AuthThrottled):
        throttle.check("203.0.113.7")


def test_successes_and_store_failures_take_nothing() -> None:
    throttle = AuthFailureThrottle(burst=2, per_minute=1, clock=Clock())
    for _ in range(100):
        with throttle.attempt("203.0.113.7"):
            pass
    with pytest.raises(StoreUnavailable), throttle.attempt("203.0.113.7"):
        raise StoreUnavailable("the store did not answer")
    assert len(throttle) == 0  # nothing on record
    fail(throttle, "203.0.113.7")
    for _ in range(100):  # a key that works keeps working from an address that failed once
        with throttle.attempt("203.0.113.7"):
            pass
    fail(throttle, "203.0.113.7")
    with pytest.raises(AuthThrottled):
        throttle.check("203.0.113.7")


def test_attempts_in_flight_count_against_what_a_failing_address_has_left() -> None:
    throttle = AuthFailureThrottle(burst=3, per_minute=1, clock=Clock())
    fail(throttle, "203.0.113.7")  # two failures left
    # two attempts still looking their keys up: a third would exceed what is left
    with (
        throttle.attempt("203.0.113.7"),
        throttle.attempt("203.0.113.7"),
        pytest.raises(AuthThrottled),
    ):
        throttle.check("203.0.113.7")
    throttle.check("203.0.113.7")  # they succeeded: nothing taken


def test_a_forgiven_address_is_forgotten() -> None:
    clock = Clock()
    throttle = AuthFailureThrottle(burst=2, per_minute=60, clock=clock)
    fail(throttle, "203.0.113.7")
    assert len(throttle) == 1
    clock.now += 1.0
    throttle.check("203.0.113.7")
    assert len(throttle) == 0


def test_ipv6_addresses_count_by_their_64() -> None:
    throttle = AuthFailureThrottle(burst=2, per_minute=1, clock=Clock())
    fail(throttle, "2001:db8:0:7::1")
    fail(throttle, "2001:db8:0:7:ffff:ffff:ffff:fffe")
    with pytest.raises(AuthThrottled):
        throttle.check("2001:db8:0:7:1234::9")
    throttle.check("2001:db8:0:8::1")
    assert address_group("::ffff:192.0.2.1") == address_group("192.0.2.1") == "192.0.2.1"
    assert address_group("fe80::1%eth0") == "fe80::/64"
    assert address_group("") == address_group(None) == "unknown"


def test_memory_is_bounded_whatever_the_number_of_sources() -> None:
    throttle = AuthFailureThrottle(burst=1, per_minute=1, max_addresses=100, clock=Clock())
    fail(throttle, "203.0.113.7")
    for host in range(1, 1_000):
        fail(throttle, f"10.0.{host // 256}.{host % 256}")
        assert len(throttle) <= 100
    # the least recently failing addresses were forgotten first
    throttle.check("203.0.113.7")
    with pytest.raises(AuthThrottled):
        throttle.check("10.0.3.230")


def test_parameters_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        AuthFailureThrottle(burst=0)
