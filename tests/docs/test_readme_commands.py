"""The README's two commands: `./scripts/run --port N` installs, loads the demo and serves
on that port with a working key; `./scripts/test --all` is what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.api.servers import free_port
from tests.docs.blocks import REPO, doc_block
from tests.docs.shell import commands, on_port, serving, user_environment


def test_the_demo_command_serves_on_the_port_it_is_given(tmp_path: Path) -> None:
    [run_on_a_port] = [line for line in commands(doc_block("readme-two-commands").text)
                       if line.startswith("./scripts/run --port")]  # fmt: skip
    port = free_port()
    # run from the checkout itself (its .venv is installed in place); only the data and
    # the report go elsewhere, so the test leaves the checkout as it was
    command = on_port(run_on_a_port, port).replace(
        f"--port {port}", f"--port {port} --db {tmp_path}/demo.db --report {tmp_path}/r.html"
    )
    log = tmp_path / "run.log"
    with serving(command, REPO, user_environment(), port, log, timeout=600) as base:
        printed = log.read_text(encoding="utf-8")
        key = re.search(r"Bearer (gcrm_[A-Za-z0-9_-]+)'", printed)
        assert key is not None, printed
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": "{ entityTypes { name } }"},
            headers={"Authorization": f"Bearer {key[1]}"},
        ).json()
        console = httpx.get(f"{base}/")
    assert "graph-crm console" in console.text
    assert "Customer" in {entity_type["name"] for entity_type in answer["data"]["entityTypes"]}
    assert (
        f"Serving the console at http://127.0.0.1:{port}/ and GraphQL at "
        f"http://127.0.0.1:{port}/graphql" in printed
    )
    assert "138 affected" in printed
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_test_command_is_the_one_ci_runs() -> None:
    """`./scripts/test --all` is not run from inside the suite it runs: CI runs it."""
    documented = [
        line.split("#")[0].strip() for line in commands(doc_block("readme-two-commands").text)
    ]
    assert "./scripts/test --all" in documented
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^exec bash scripts/test --all$", ci, flags=re.MULTILINE)
