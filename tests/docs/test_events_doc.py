"""docs/incidents.md's event example and docs/security.md's integration commands run as
written: an integration made from the command line, an event signed with the Python
one-liner and posted with curl to a real server on the demo data, stored (202), then
processed once (the same request again answers 200 with the incident it made)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from graph_crm.store.embedded.store import EmbeddedStore
from tests.api.servers import free_port
from tests.docs.answers import load_demo
from tests.docs.blocks import doc_block
from tests.docs.shell import (
    checkout_copy,
    commands,
    made_with_secret,
    on_port,
    run_command,
    serving,
    user_environment,
)


@pytest.fixture
async def checkout(tmp_path: Path) -> Path:
    demo = tmp_path / "demo.db"
    store = await EmbeddedStore.open(demo)
    try:
        await load_demo(store)
    finally:
        await store.close()
    return checkout_copy(tmp_path, demo)


def test_a_signed_event_is_posted_with_curl_and_processed_once(
    checkout: Path, tmp_path: Path
) -> None:
    create, write_event, post = commands(doc_block("events-post").text)
    env = user_environment()
    run_command(create, checkout, env)
    run_command(write_event, checkout, env)
    port = free_port()
    post = post.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{port}")
    serve = on_port("graph-crm serve", port)
    with serving(serve, checkout, env, port, tmp_path / "serve.log"):
        first = json.loads(run_command(post, checkout, env).stdout)
        assert first == {"eventId": "evt-2026-0001", "status": "accepted"}
        deadline = time.monotonic() + 60
        while (again := json.loads(run_command(post, checkout, env).stdout))["status"] != (
            "processed"
        ):
            assert time.monotonic() < deadline, again
            time.sleep(0.5)
    assert again["duplicate"] is True
    assert again["version"] == 1
    assert re.fullmatch(r"inc-[0-9a-f]{16}", again["incidentId"])


def test_the_integration_commands_create_list_and_revoke(checkout: Path) -> None:
    create, listing, revoke = commands(doc_block("security-integrations").text)
    env = user_environment()
    made = made_with_secret(run_command(create, checkout, env).stdout)
    listed = run_command(listing, checkout, env).stdout
    assert re.search(rf"^{made}\s+customs-broker-feed\s+disruption\b.*active$", listed, re.M)
    run_command(revoke.replace("0572718f27b0517c", made), checkout, env)
    assert "revoked" in run_command(listing, checkout, env).stdout
