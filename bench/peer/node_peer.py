"""The peer's Node process: installed from the lockfile with ``npm ci``, served on loopback.

Node and npm are needed only here: graph-crm's install, server and tests never use them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.served import served
from tools.neo4j_local import free_port

NODE_DIR = Path(__file__).resolve().parent / "node"
PACKAGES = ("@neo4j/graphql", "@apollo/server", "graphql", "neo4j-driver")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"bench.peer needs {name} on PATH (Node 20 or newer) for the peer")
    return found


def install(log: Path) -> None:
    """``npm ci`` into bench/peer/node/node_modules, unless it already holds the lockfile's
    packages (npm's own record of the install is newer than the lockfile)."""
    record = NODE_DIR / "node_modules" / ".package-lock.json"
    lock = NODE_DIR / "package-lock.json"
    if record.is_file() and record.stat().st_mtime >= lock.stat().st_mtime:
        return
    command = [_tool("npm"), "ci", "--no-audit", "--no-fund"]
    with log.open("wb") as out:
        done = subprocess.run(command, cwd=NODE_DIR, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"npm ci failed ({done.returncode}) in {NODE_DIR}:\n{tail}")


def versions() -> dict[str, str]:
    """Node's version and the installed packages' (from their package.json)."""
    found = {"node": subprocess.check_output([_tool("node"), "--version"], text=True).strip()}
    for package in PACKAGES:
        manifest = NODE_DIR / "node_modules" / package / "package.json"
        found[package] = json.loads(manifest.read_text())["version"]
    return found


def print_schema(type_defs: Path) -> str:
    """The GraphQL schema the library generates from ``type_defs`` (no Neo4j needed)."""
    command = [_tool("node"), "server.mjs", str(type_defs), "--print-schema"]
    return subprocess.check_output(command, cwd=NODE_DIR, text=True)


@contextlib.contextmanager
def serve_peer(
    type_defs: Path, bolt_uri: str, log_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The library on Apollo Server over ``bolt_uri`` (``NODE_ENV=production``); stopped on
    exit. Yields its base URL (it answers on any path, ``/graphql`` included) and process."""
    port = free_port()
    env = {**os.environ, "NODE_ENV": "production"}
    command = [_tool("node"), "server.mjs", str(type_defs), bolt_uri, str(port)]
    with served(
        command, cwd=NODE_DIR, env=env, port=port, log_path=log_path, ready=_ready, what="the peer"
    ) as running:
        yield running


def _ready(base: str) -> bool:
    answer = httpx.post(f"{base}/graphql", json={"query": "{ __typename }"}, timeout=2)
    return answer.status_code == 200
