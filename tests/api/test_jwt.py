"""JWTs from an identity provider: a shared secret, and a JWKS served on loopback."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from graph_crm.api import create_app
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.conftest import bearer

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
async def client(store: GraphStore, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(jwt_issuer=ISSUER, jwt_audience=AUDIENCE, **settings), store=store)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield http


async def _ask(http: httpx.AsyncClient, token: str, body: dict[str, Any] = QUERY) -> httpx.Response:
    return await http.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})


async def test_shared_secret_tokens(embedded_store: GraphStore) -> None:
    async with client(embedded_store, jwt_secret=SECRET) as http:
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
        for why, token in bad.items():
            answer = await _ask(http, token)
            assert answer.status_code == 401, why
            assert answer.json()["error"]["code"] == "UNAUTHENTICATED", why
        # API keys keep working beside JWTs
        headers = await bearer(embedded_store)
        assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 200


@contextlib.contextmanager
def jwks_server(document: dict[str, Any]) -> Iterator[str]:
    body = json.dumps(document).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
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
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.public_key()))
    document = {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}
    with jwks_server(document) as url:
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
