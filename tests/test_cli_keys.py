"""`graph-crm keys` as an operator runs it, and the demo's loopback key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_crm.auth.keys import parse_token, verify
from graph_crm.cli.main import DEMO_KEY_NAME, _demo_key
from graph_crm.store.embedded.store import EmbeddedStore
from tests.cli_process import run


def test_create_list_revoke(tmp_path: Path) -> None:
    db = str(tmp_path / "keys.db")
    made = run("keys", "create", "--role", "integration", "--name", "erp-sync", "--db", db)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("gcrm_")
    assert "only time it is shown" in made.stderr
    listed = json.loads(run("keys", "list", "--json", "--db", db).stdout)
    assert [(k["name"], k["role"], k["revokedAt"]) for k in listed] == [
        ("erp-sync", "integration", None)
    ]
    assert token not in run("keys", "list", "--db", db).stdout  # the secret is never shown again
    key_id = parse_token(token)[0]
    assert (
        run("keys", "revoke", key_id, "--db", db).stdout.strip() == f"revoked {key_id} (erp-sync)"
    )
    assert json.loads(run("keys", "list", "--json", "--db", db).stdout)[0]["revokedAt"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("keys", "create"), "--role is required"),
        (("keys", "create", "--role", "root"), "invalid choice"),
        (("keys", "create", "--role", "admin", "--name", "x; DROP TABLE"), "a key name is"),
        (("keys", "revoke"), "give the key's id"),
        (("keys", "revoke", "0123456789abcdef"), "NOT_FOUND"),
    ],
)
def test_clear_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = run(*args, "--db", str(tmp_path / "keys.db"))
    assert done.returncode == 2
    assert message in done.stderr


async def test_the_demo_keeps_one_live_loopback_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = await EmbeddedStore.open(tmp_path / "demo.db")
    try:
        await _demo_key(store, "127.0.0.1", 8000)
        await _demo_key(store, "127.0.0.1", 8000)
        printed = capsys.readouterr().out
        tokens = [line.strip() for line in printed.splitlines() if line.startswith("  gcrm_")]
        assert len(tokens) == 2
        keys = await store.api_keys()
        live = [key for key in keys if key.active]
        assert [key.name for key in keys] == [DEMO_KEY_NAME] * 2
        assert len(live) == 1
        assert verify(live[0], tokens[1])
        assert f"-H 'Authorization: Bearer {tokens[1]}'" in printed
        assert "Sign in to the console (http://127.0.0.1:8000/) with it" in printed
        # not on loopback: no key is made, the way to make one is shown instead
        await _demo_key(store, "0.0.0.0", 8000)
        assert "graph-crm keys create" in capsys.readouterr().out
        assert len(await store.api_keys()) == 2
    finally:
        await store.close()
