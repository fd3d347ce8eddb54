"""JWTs from an identity provider: a shared secret, and a JWKS served on loopback."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import http.server
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from graph_crm.api import create_app
from graph_crm.api.jwt_auth import JwtVerifier
from graph_crm.auth.keys import Unauthenticated
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.asgi import bearer

ISSUER = "https://idp.example.test/"
AUDIENCE = "graph-crm"
SECRET = "a-shared-secret-of-at-least-32-bytes!!"
QUERY = {"query": "{ schemaVersion }"}
DEFINE = {"query": 'mutation { defineEntityType(input: {name: "Broker"}) { __typename } }'}


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice@example.test",
        "iat": now,
        "exp": now + 300,
        "graph_crm_role": "analyst",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


@contextlib.asynccontextmanager
async def clients(
    store: GraphStore, count: int, **settings: Any
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``count`` clients of one app, each from an address of its own (192.0.2.n): an
    address that keeps failing is throttled, and these tests are about tokens."""
    app = create_app(Settings(jwt_issuer=ISSUER, jwt_audience=AUDIENCE, **settings), store=store)
    async with contextlib.AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app, client=(f"192.0.2.{n}", 4711)),
                    base_url="http://testserver",
                )
            )
            for n in range(count)
        ]


@contextlib.asynccontextmanager
async def client(store: GraphStore, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with clients(store, 1, **settings) as (http,):
        yield http


async def _ask(http: httpx.AsyncClient, token: str, body: dict[str, Any] = QUERY) -> httpx.Response:
    return await http.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})


async def test_shared_secret_tokens(embedded_store: GraphStore) -> None:
    async with clients(embedded_store, 12, jwt_secret=SECRET) as (http, *strangers):
        good = jwt.encode(claims(), SECRET, algorithm="HS256")
        assert (await _ask(http, good)).json() == {"data": {"schemaVersion": 0}}
        # the role in the token is enforced like a key's
        refused = (await _ask(http, good, DEFINE)).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        officer = jwt.encode(claims(graph_crm_role=["config_officer", "x"]), SECRET, "HS256")
        assert (await _ask(http, officer, DEFINE)).json()["data"]["defineEntityType"] == {
            "__typename": "EntityTypePayload"
        }
        changes = await embedded_store.registry_changes()
        assert changes[-1].actor == f"jwt:alice@example.test ({ISSUER})"
        bad = {
            "expired": jwt.encode(claims(exp=int(time.time()) - 3600), SECRET, "HS256"),
            "other audience": jwt.encode(claims(aud="someone-else"), SECRET, "HS256"),
            "other issuer": jwt.encode(claims(iss="https://evil.test/"), SECRET, "HS256"),
            "no subject": jwt.encode(claims(sub=None), SECRET, "HS256"),
            "no expiry": jwt.encode(claims(exp=None), SECRET, "HS256"),
            "no role": jwt.encode(claims(graph_crm_role=None), SECRET, "HS256"),
            "unknown role": jwt.encode(claims(graph_crm_role="root"), SECRET, "HS256"),
            "two roles": jwt.encode(claims(graph_crm_role=["admin", "analyst"]), SECRET, "HS256"),
            "wrong secret": jwt.encode(claims(), "another-secret-of-at-least-32-bytes", "HS256"),
            "alg none": _unsigned(claims()),
            "garbage": "not.a.jwt",
        }
        for stranger, (why, token) in zip(strangers, bad.items(), strict=True):
            answer = await _ask(stranger, token)
            assert answer.status_code == 401, why
            assert answer.json()["error"]["code"] == "UNAUTHENTICATED", why
        # API keys keep working beside JWTs
        headers = await bearer(embedded_store)
        assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 200


@dataclass
class Jwks:
    """What the loopback provider serves (it may change), and how often it was asked."""

    keys: list[dict[str, Any]]
    status: int = 200  # 503: the provider is down
    fetches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "use": "sig", "alg": "RS256"}


@contextlib.contextmanager
def jwks_server(jwks: Jwks) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            with jwks.lock:
                jwks.fetches += 1
                body = json.dumps({"keys": jwks.keys}).encode()
                status = jwks.status
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


async def test_jwks_tokens(embedded_store: GraphStore) -> None:
    provider = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with jwks_server(Jwks([public_jwk(provider, "k1")])) as url:
        async with client(embedded_store, jwt_jwks_url=url) as http:
            good = jwt.encode(claims(), provider, algorithm="RS256", headers={"kid": "k1"})
            assert (await _ask(http, good)).json() == {"data": {"schemaVersion": 0}}
            forged = jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": "k1"})
            unknown_kid = jwt.encode(claims(), provider, algorithm="RS256", headers={"kid": "k9"})
            # the classic confusion: HS256 "signed" with the provider's public key as secret
            pem = provider.public_key().public_bytes(
                Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
            )
            confused = _hand_signed({"alg": "HS256", "kid": "k1", "typ": "JWT"}, claims(), pem)
            for token in (forged, unknown_kid, confused):
                answer = await _ask(http, token)
                assert answer.status_code == 401
                assert answer.json()["error"]["code"] == "UNAUTHENTICATED"


def signed(key: rsa.RSAPrivateKey, kid: str) -> str:
    return jwt.encode(claims(), key, algorithm="RS256", headers={"kid": kid})


async def test_unknown_kids_cannot_make_the_server_fetch_the_jwks_again(
    embedded_store: GraphStore,
) -> None:
    provider = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = Jwks([public_jwk(provider, "k1")])
    with jwks_server(jwks) as url:
        async with clients(embedded_store, 31, jwt_jwks_url=url) as (http, *strangers):
            assert (await _ask(http, signed(provider, "k1"))).status_code == 200
            assert jwks.fetches == 1
            asked = [_ask(peer, signed(provider, uuid.uuid4().hex)) for peer in strangers]
            for answer in await asyncio.gather(*asked):
                assert answer.status_code == 401
                assert answer.json()["error"]["code"] == "UNAUTHENTICATED"
            # within the cooldown after the first fetch: not one more
            assert jwks.fetches == 1
            assert (await _ask(http, signed(provider, "k1"))).status_code == 200
            assert jwks.fetches == 1
    # A provider that is down is asked once, not once per request, whatever the tokens say.
    jwks = Jwks([public_jwk(provider, "k1")], status=503)
    with jwks_server(jwks) as url:
        async with clients(embedded_store, 30, jwt_jwks_url=url) as peers:
            kids = ["k1"] * 5 + ["k2"] * 25
            asked = [
                _ask(peer, signed(provider, kid)) for peer, kid in zip(peers, kids, strict=True)
            ]
            for answer in await asyncio.gather(*asked):
                assert answer.status_code == 401
            for peer in peers:
                assert (await _ask(peer, signed(provider, "k1"))).status_code == 401
            assert jwks.fetches == 1


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_a_key_rotated_in_is_used_after_the_cooldown_and_one_fetch_serves_many() -> None:
    old = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    new = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = Jwks([public_jwk(old, "k1")])
    clock = Clock()
    with jwks_server(jwks) as url:
        settings = Settings(
            jwt_issuer=ISSUER,
            jwt_audience=AUDIENCE,
            jwt_jwks_url=url,
            jwt_jwks_refetch_cooldown=30,
        )
        verifier = JwtVerifier(settings, clock=clock)
        # many first requests at once: one fetch for all of them
        principals = await asyncio.gather(
            *(verifier.principal(signed(old, "k1")) for _ in range(8))
        )
        assert {p.role.value for p in principals} == {"analyst"}
        assert jwks.fetches == 1
        jwks.keys.append(public_jwk(new, "k2"))  # the provider rotates a key in
        clock.now += 29
        with pytest.raises(Unauthenticated):
            await verifier.principal(signed(new, "k2"))
        assert jwks.fetches == 1
        clock.now += 1
        # the cooldown is over: a burst of unknown kids (the new one among them) shares a fetch
        tokens = [signed(new, "k2"), *(signed(new, uuid.uuid4().hex) for _ in range(10))]
        outcomes = await asyncio.gather(
            *(verifier.principal(token) for token in tokens), return_exceptions=True
        )
        assert jwks.fetches == 2
        assert not isinstance(outcomes[0], BaseException)
        assert all(isinstance(outcome, Unauthenticated) for outcome in outcomes[1:])
        # and k2 is known from now on, without asking again
        await verifier.principal(signed(new, "k2"))
        assert jwks.fetches == 2


async def test_a_provider_that_fails_is_asked_once_per_cooldown() -> None:
    provider = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = Jwks([])  # no usable key: as good as down
    clock = Clock()
    with jwks_server(jwks) as url:
        settings = Settings(jwt_issuer=ISSUER, jwt_audience=AUDIENCE, jwt_jwks_url=url)
        verifier = JwtVerifier(settings, clock=clock)
        for _ in range(5):
            with pytest.raises(Unauthenticated):
                await verifier.principal(signed(provider, "k1"))
        assert jwks.fetches == 1
        jwks.keys.append(public_jwk(provider, "k1"))
        clock.now += 30
        await verifier.principal(signed(provider, "k1"))
        assert jwks.fetches == 2
        # a set past its lifespan is fetched again; if that fails, it is not used
        jwks.status = 503
        clock.now += 300
        with pytest.raises(Unauthenticated):
            await verifier.principal(signed(provider, "k1"))
        clock.now += 29
        with pytest.raises(Unauthenticated):
            await verifier.principal(signed(provider, "k1"))
        assert jwks.fetches == 3
        jwks.status = 200
        clock.now += 1
        await verifier.principal(signed(provider, "k1"))
        assert jwks.fetches == 4


async def test_a_token_must_name_its_key() -> None:
    provider = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = Jwks([public_jwk(provider, "k1")])
    with jwks_server(jwks) as url:
        settings = Settings(jwt_issuer=ISSUER, jwt_audience=AUDIENCE, jwt_jwks_url=url)
        verifier = JwtVerifier(settings)
        for token in (
            jwt.encode(claims(), provider, algorithm="RS256"),
            _hand_signed({"alg": "RS256", "kid": ["k1"], "typ": "JWT"}, claims(), b"-"),
            "not.a.jwt",
        ):
            with pytest.raises(Unauthenticated):
                await verifier.principal(token)
        assert jwks.fetches == 0


def _hand_signed(header: dict[str, Any], payload: dict[str, Any], secret: bytes) -> str:
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{part(json.dumps(header).encode())}.{part(json.dumps(payload).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{part(signature)}"


def test_jwt_settings_must_be_whole() -> None:
    from graph_crm.api.jwt_auth import JwtVerifier

    with pytest.raises(ValueError, match="audience"):
        JwtVerifier(Settings(jwt_issuer=ISSUER, jwt_secret=SECRET))
    with pytest.raises(ValueError, match="exactly one"):
        JwtVerifier(Settings(jwt_issuer=ISSUER, jwt_audience=AUDIENCE))
    assert JwtVerifier.from_settings(Settings()) is None


def _unsigned(payload: dict[str, Any]) -> str:
    """An ``alg: none`` token: no signature at all."""
    return _hand_signed({"alg": "none", "typ": "JWT"}, payload, b"").rsplit(".", 1)[0] + "."
