"""docs/webhooks.md's command-line block and its signature check run as written: a
webhook made, listed, its dead letters asked for and the webhook revoked from the
command line; the Python ``verify`` accepts what the server signs and nothing else."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph_crm.incidents.webhook import sign
from tests.docs.blocks import doc_block
from tests.docs.shell import (
    checkout_copy,
    commands,
    made_with_secret,
    run_command,
    user_environment,
)


def test_the_webhook_commands_create_list_read_the_log_and_revoke(tmp_path: Path) -> None:
    checkout = checkout_copy(tmp_path)
    create, listing, dead, revoke = commands(doc_block("webhooks-cli").text)
    env = user_environment()
    made = made_with_secret(run_command(create, checkout, env).stdout)
    listed = run_command(listing, checkout, env).stdout
    assert re.search(rf"^{made}\s+risk-desk\s+https://hooks.example.com/graph-crm\s+active$",
                     listed, re.M)  # fmt: skip
    assert run_command(dead, checkout, env).stdout.strip() == ""
    run_command(revoke.replace("6b1e9d0c2f3a4b5c", made), checkout, env)
    shown = json.loads(run_command(listing + " --json", checkout, env).stdout)
    assert [hook["revokedAt"] is not None for hook in shown] == [True]


def _verify() -> Callable[..., bool]:
    namespace: dict[str, Any] = {}
    exec(compile(doc_block("webhooks-verify").text, "webhooks.md", "exec"), namespace)  # noqa: S102
    verify: Callable[..., bool] = namespace["verify"]
    return verify


def test_the_documented_check_accepts_only_a_fresh_signature_of_the_body() -> None:
    verify = _verify()
    body = b'{"event":"incident.changed","seq":7}'
    now = int(time.time())
    header = sign("s3cret", now, body)
    assert verify("s3cret", header, body)
    assert not verify("s3cret", header, body + b" ")
    assert not verify("other", header, body)
    assert not verify("s3cret", sign("s3cret", now - 3600, body), body)
    assert not verify("s3cret", "v1=" + header.split("v1=")[1], body)
