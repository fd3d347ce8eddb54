"""API keys over GraphQL: admins list, create (the token shown once) and revoke keys;
every other role is refused and changes nothing; the token is in no log, record or error."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import API_KEYS, CREATE_API_KEY, REVOKE_API_KEY, data, post, read_log

WHO_AM_I = "{ schemaVersion }"


def admin_actor(client: httpx.AsyncClient) -> str:
    """How the audit log names the admin key ``client`` sends (see tests/api/asgi.py)."""
    key_id = client.headers["authorization"].removeprefix("Bearer ").split("_")[1]
    return f"key:{key_id} (tests-admin)"


def with_token(client: httpx.AsyncClient, token: str) -> httpx.AsyncClient:
    """A client of the same app sending ``token``."""
    return httpx.AsyncClient(
        transport=client._transport,
        base_url=client.base_url,
        headers={"Authorization": f"Bearer {token}"},
    )


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(logging.Formatter("%(name)s %(message)s %(exc_text)s").format(record))


@contextlib.contextmanager
def every_log_line() -> Iterator[list[str]]:
    """Every record any logger writes meanwhile, at every level (the request log, which
    does not propagate, included)."""
    captured = Captured()
    loggers = [logging.getLogger(), logging.getLogger("graph_crm.access")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(captured)
        logger.setLevel(logging.DEBUG)
    try:
        yield captured.lines
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(captured)
            logger.setLevel(level)


async def create(client: httpx.AsyncClient, name: str, role: str) -> dict[str, Any]:
    answer = await data(client, CREATE_API_KEY, name=name, role=role)
    result: dict[str, Any] = answer["createApiKey"]
    return result


async def revoke(client: httpx.AsyncClient, key_id: str) -> dict[str, Any]:
    answer = await data(client, REVOKE_API_KEY, id=key_id)
    result: dict[str, Any] = answer["revokeApiKey"]
    return result


async def test_a_key_made_over_graphql_works_at_once_and_stops_when_revoked(
    store: GraphStore,
) -> None:
    async with asgi_client(store, Role.ADMIN) as admin:
        made = await create(admin, "console analyst", "ANALYST")
        assert made["__typename"] == "ApiKeyCreatePayload", made
        key, token = made["apiKey"], made["token"]
        assert token.startswith(f"gcrm_{key['id']}_")
        assert (key["name"], key["role"], key["active"], key["revokedAt"]) == (
            "console analyst",
            "ANALYST",
            True,
            None,
        )
        assert key["createdBy"] == admin_actor(admin)

        async with with_token(admin, token) as analyst:
            assert (await analyst.post("/graphql", json={"query": WHO_AM_I})).status_code == 200
            refused = await post(analyst, API_KEYS, all=True)
            assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

            revoked = await revoke(admin, key["id"])
            assert revoked["__typename"] == "ApiKeyRevokePayload", revoked
            assert (revoked["alreadyRevoked"], revoked["ownKey"]) == (False, False)
            assert revoked["apiKey"]["active"] is False
            after = await analyst.post("/graphql", json={"query": WHO_AM_I})
            assert after.status_code == 401
            assert after.json()["error"]["code"] == "UNAUTHENTICATED"

        again = await revoke(admin, key["id"])
        assert again["alreadyRevoked"] is True
        assert again["apiKey"]["revokedAt"] == revoked["apiKey"]["revokedAt"]

        listed = (await data(admin, API_KEYS, all=True))["apiKeys"]
        assert [k["name"] for k in listed] == ["tests-admin", "console analyst"]
        assert listed[1] == again["apiKey"]
        live = (await data(admin, API_KEYS, all=False))["apiKeys"]
        assert [k["name"] for k in live] == ["tests-admin"]

        records = [r for r in await read_log(admin) if r["kind"] == "apiKey"]
        made_by = admin_actor(admin)
        # the second revocation changed nothing, so it left no record
        assert [(r["action"], r["actor"], r["ids"]) for r in records[1:]] == [
            ("key.create", made_by, [key["id"]]),
            ("key.revoke", made_by, [key["id"]]),
        ]


async def test_an_admin_may_revoke_their_own_key_and_the_next_request_is_refused(
    store: GraphStore,
) -> None:
    async with asgi_client(store, Role.ADMIN) as admin:
        [own] = (await data(admin, API_KEYS, all=True))["apiKeys"]
        revoked = await revoke(admin, own["id"])
        assert (revoked["__typename"], revoked["ownKey"]) == ("ApiKeyRevokePayload", True)
        refused = await admin.post("/graphql", json={"query": WHO_AM_I})
        assert refused.status_code == 401
        assert refused.json()["error"] == {
            "code": "UNAUTHENTICATED",
            "message": "the API key was revoked",
        }
    [stored] = await store.api_keys()
    assert stored.revoked_at is not None


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
async def test_every_other_role_is_refused_and_changes_nothing(
    store: GraphStore, role: Role
) -> None:
    async with asgi_client(store, Role.ADMIN) as admin, asgi_client(store, role) as other:
        keys_before = await store.api_keys()
        log_before = await read_log(admin)
        [own] = [k for k in keys_before if k.role is role]
        for query, variables, field in (
            (API_KEYS, {"all": True}, "apiKeys"),
            (CREATE_API_KEY, {"name": "sneaky", "role": "ADMIN"}, "createApiKey"),
            (REVOKE_API_KEY, {"id": own.id}, "revokeApiKey"),
        ):
            body = await post(other, query, **variables)
            assert body["data"] is None, field
            [error] = body["errors"]
            assert (error["extensions"]["code"], error["path"]) == ("FORBIDDEN", [field])
        assert await store.api_keys() == keys_before
        # each refusal is recorded (access.denied, at most one per key per 10 s), nothing else
        written = [r for r in await read_log(admin) if r not in log_before]
        assert {r["action"] for r in written} == {"access.denied"}
        assert (await other.post("/graphql", json={"query": WHO_AM_I})).status_code == 200


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("x" * 100_000, "x" * 40),
        ("line\nbreak", "line\\nbreak"),
        ("nul\x00byte", "nul\\x00byte"),
        ("bell\x07", "bell\\x07"),
        ("rtl\u202eevil", "rtl\\u202eevil"),
        ("", "''"),
        (" leading-space", "' leading-space'"),
        ("'; DROP TABLE api_keys; --", "DROP TABLE"),
    ],
)
async def test_a_bad_name_is_refused_at_its_path_and_nothing_is_stored(
    store: GraphStore, name: str, fragment: str
) -> None:
    async with asgi_client(store, Role.ADMIN) as admin:
        before = await store.api_keys()
        result = await create(admin, name, "ANALYST")
        assert (result["__typename"], result["code"], result["path"]) == (
            "Error",
            "INVALID_INPUT",
            ["name"],
        )
        assert fragment in result["message"]
        assert len(result["message"]) < 300
        assert await store.api_keys() == before


@pytest.mark.parametrize("role", ["ROOT", "admin", "", "ADMIN OR 1=1"])
async def test_an_unknown_role_is_refused_before_anything_runs(
    store: GraphStore, role: str
) -> None:
    async with asgi_client(store, Role.ADMIN) as admin:
        before = await store.api_keys()
        body = await post(admin, CREATE_API_KEY, name="valid-name", role=role)
        assert body["data"] is None
        assert "ApiKeyRole" in body["errors"][0]["message"]
        assert await store.api_keys() == before


@pytest.mark.parametrize(
    "key_id",
    [
        "' OR '1'='1",
        "0123456789abcdef' OR 1=1 --",
        "x`}) DETACH DELETE n //",
        "0123456789ABCDEF",
        "0123456789abcde",
        "../../etc/passwd",
        "k" * 100_000,
    ],
)
async def test_a_hostile_id_is_refused_at_its_path_and_nothing_is_revoked(
    store: GraphStore, key_id: str
) -> None:
    async with asgi_client(store, Role.ADMIN) as admin:
        before = await store.api_keys()
        result = await revoke(admin, key_id)
        assert (result["__typename"], result["code"], result["path"]) == (
            "Error",
            "INVALID_INPUT",
            ["id"],
        )
        assert len(result["message"]) < 200
        assert await store.api_keys() == before


async def test_an_absent_id_is_not_found(store: GraphStore) -> None:
    async with asgi_client(store, Role.ADMIN) as admin:
        result = await revoke(admin, "0123456789abcdef")
    assert (result["__typename"], result["code"], result["path"]) == ("Error", "NOT_FOUND", ["id"])


async def test_the_token_is_shown_once_and_is_in_no_log_record_or_later_answer(
    store: GraphStore,
) -> None:
    with every_log_line() as lines:
        async with asgi_client(store, Role.ADMIN) as admin:
            made = await create(admin, "nightly-erp-sync", "INTEGRATION")
            token = made["token"]
            secret = token.split("_", 2)[2]
            secret_hash = hashlib.sha256(secret.encode()).hexdigest()
            async with with_token(admin, token) as loader:
                assert (await loader.post("/graphql", json={"query": WHO_AM_I})).is_success
                forbidden = await post(loader, API_KEYS, all=True)
                bad = await loader.post("/graphql", json={"query": "{ nope }"})
                await revoke(admin, made["apiKey"]["id"])
                refused = await loader.post("/graphql", json={"query": WHO_AM_I})
                wrong = await loader.post(
                    "/graphql",
                    json={"query": WHO_AM_I},
                    headers={"Authorization": f"Bearer {token[:-1]}A"},
                )
            later = [
                await post(admin, API_KEYS, all=True),
                await post(admin, REVOKE_API_KEY, id=made["apiKey"]["id"]),
                {"log": await read_log(admin)},
            ]
    assert any(line.startswith("graph_crm.access ") for line in lines)  # captured
    answers = json.dumps(
        [forbidden, bad.json(), refused.json(), wrong.json(), *later], ensure_ascii=False
    )
    assert secret not in answers
    assert secret_hash not in answers
    for line in lines:
        assert secret not in line
        # The Neo4j driver's own DEBUG log (off unless asked for) shows the statement
        # storing the key, its hash a parameter; nothing of ours logs the hash.
        if not line.startswith("neo4j"):
            assert secret_hash not in line
