"""Webhooks (pure): names, URLs and filters checked at their field; the signature a
receiver checks; the record round trip."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.incidents.webhook import (
    MAX_URL_LENGTH,
    Webhook,
    check_webhook_url,
    new_webhook,
    sign,
    signature_valid,
)
from tests.incidents.made import T0


def _made(
    name: object = "risk desk", url: object = "https://x.example/h", wanted: object = None
) -> Webhook:
    return new_webhook(
        name,
        url,
        wanted,
        webhook_id="00000000000000a1",
        secret="s3cret",
        created_by="admin",
        now=T0,
        start_seq=7,
    )


def test_a_webhook_round_trips_through_its_record() -> None:
    made = _made(wanted={"sourceTypes": ["Warehouse"], "versionsOnly": True})
    assert Webhook.from_record(made.to_record()) == made
    assert made.start_seq == 7
    assert made.active
    assert not made.revoked(T0).active


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://hooks.example.com/crm?team=risk&x=%20",
        "https://[::1]:8443/",
        "http://localhost",
    ],
)
def test_http_and_https_urls_with_a_host_are_taken(url: str) -> None:
    assert check_webhook_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        None,
        42,
        "",
        "ftp://example.com/",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "//example.com/",
        "http:/example.com",
        "https://user:pw@example.com/",
        "https://user@example.com/",
        "https://example.com/#fragment",
        "https://exa mple.com/",
        "https://example.com/\r\nX-Injected: 1",
        "https://exämple.com/",
        "http://-bad-.com/",
        "http://a..b/",
        "http://example.com:0/",
        "http://example.com:65536/",
        "http://[not-v6]/",
        "https://" + "a" * MAX_URL_LENGTH + ".com/",
    ],
)
def test_other_urls_are_refused_at_url(url: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        _made(url=url)
    assert refused.value.path == ("url",)


@pytest.mark.parametrize("name", ["", " lead", "x" * 64, "a\nb", "<script>", None])
def test_bad_names_are_refused_at_name(name: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        _made(name=name)
    assert refused.value.path == ("name",)


def test_bad_filters_are_refused_at_their_field_under_filter() -> None:
    with pytest.raises(InvalidInput) as refused:
        _made(wanted={"sources": ["Warehouse:W1", "not a global id"]})
    assert refused.value.path == ("filter", "sources", 1)
    with pytest.raises(InvalidInput) as refused:
        _made(wanted={"cypher": "MATCH (n) DETACH DELETE n"})
    assert refused.value.path == ("filter", "cypher")


def test_the_signature_is_hmac_sha256_over_time_dot_body() -> None:
    body = b'{"seq":1}'
    expected = hmac.new(b"s3cret", b"1764547200." + body, hashlib.sha256).hexdigest()
    assert sign("s3cret", 1764547200, body) == f"t=1764547200,v1={expected}"


@pytest.mark.parametrize(
    ("header", "body", "now", "valid"),
    [
        (sign("s3cret", 1000, b"a"), b"a", 1000, True),
        (sign("s3cret", 1000, b"a"), b"a", 1300, True),
        (sign("s3cret", 1000, b"a"), b"a", 1301, False),  # too old: a replay
        (sign("s3cret", 1000, b"a"), b"b", 1000, False),
        (sign("other", 1000, b"a"), b"a", 1000, False),
        (sign("s3cret", 1000, b"a").replace("t=1000", "t=1001"), b"a", 1000, False),
        ("v1=abc", b"a", 1000, False),
        ("t=x,v1=abc", b"a", 1000, False),
        ("", b"a", 1000, False),
    ],
)
def test_a_receiver_accepts_only_a_fresh_signature_of_the_body(
    header: str, body: bytes, now: int, valid: bool
) -> None:
    assert signature_valid("s3cret", header, body, now=now, tolerance=300) is valid
