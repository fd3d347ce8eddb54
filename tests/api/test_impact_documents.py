"""ImpactReport.document over HTTP, on both backends: each format's file name, media type
and text, byte for byte what `graph-crm impact --format ... -o FILE` writes for the same
arguments on the same store; refusals and roles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from graph_crm.auth.roles import Permission, Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import DEFINE_POLICY, data, post
from tests.browser.served import store_options
from tests.contract.logistics import customs_policy, load_logistics

DOCUMENT = """
query Download($format: ReportFormat!, $limit: Int) {
  impactReport(source: "Warehouse:W1", delayDays: 3, asOf: "2026-03-10T12:00:00Z",
               limit: $limit) {
    document(format: $format) { fileName mediaType content }
    rendered(format: $format)
  }
}"""
FORMATS = {
    "HTML": ("html", "text/html; charset=utf-8"),
    "CSV": ("csv", "text/csv; charset=utf-8"),
    "MARKDOWN": ("md", "text/markdown; charset=utf-8"),
    "JSON": ("json", "application/json"),
    "TABLE": ("table", "text/plain; charset=utf-8"),
}
EXTENSION = {"html": "html", "csv": "csv", "md": "md", "json": "json", "table": "txt"}


def cli_report(
    store: GraphStore, tmp_path: Path, request: pytest.FixtureRequest, fmt: str, *extra: str
) -> bytes:
    """What `graph-crm impact` writes with -o for W1, 3 days, as of the logistics' AS_OF."""
    if store.backend == "neo4j":
        options, env = store_options(tmp_path, request.getfixturevalue("neo4j_target"))
    else:  # the embedded_store fixture's file (tests/conftest.py)
        options, env = ["--db", str(tmp_path / "graph.db")], dict(os.environ)
    output = tmp_path / f"cli.{fmt}"
    done = subprocess.run(
        [sys.executable, "-m", "graph_crm.cli", "impact", "--source", "Warehouse:W1",
         "--delay", "3", "--as-of", "2026-03-10T12:00:00Z", "--format", fmt, *extra,
         "-o", str(output), *options],
        capture_output=True, text=True, timeout=120, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return output.read_bytes()


async def test_every_format_is_the_clis_file_named_and_typed(
    client: httpx.AsyncClient, store: GraphStore, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    await load_logistics(store)
    await data(client, DEFINE_POLICY, policy=customs_policy())
    for name, (fmt, media_type) in FORMATS.items():
        # the CLI lists every affected target in a document: limit 10000 lists the same
        report = (await data(client, DOCUMENT, format=name, limit=10_000))["impactReport"]
        document = report["document"]
        assert document["fileName"] == f"impact-Warehouse_W1-3d-20260310T1200Z.{EXTENSION[fmt]}"
        assert document["mediaType"] == media_type
        assert document["content"] == report["rendered"]
        extra = ("--limit", "10000") if fmt == "table" else ()
        assert document["content"].encode("utf-8") == cli_report(
            store, tmp_path, request, fmt, *extra
        ), name
    # a shorter list is the CLI's with the same --limit
    short = (await data(client, DOCUMENT, format="CSV", limit=1))["impactReport"]["document"]
    assert short["content"].count("\n") == 2  # the header and one row
    assert short["content"].encode() == cli_report(store, tmp_path, request, "csv", "--limit", "1")


async def test_hostile_formats_and_arguments_are_refused_cleanly(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    await data(client, DEFINE_POLICY, policy=customs_policy())
    before = (await store.registry(), await store.counts())
    for fmt in ["PDF", "html", "../../etc/passwd", "CSV\nX"]:
        body = await post(client, DOCUMENT, format=fmt)
        assert body.get("data") is None
        [error] = body["errors"]
        assert "Traceback" not in error["message"]
        assert len(error["message"]) < 300
    for query in [
        '{ impactReport(source: "Warehouse:W1\\u0000", delayDays: 1) '
        "{ document(format: CSV) { fileName } } }",
        '{ impactReport(source: "Warehouse:`) DETACH DELETE n //", delayDays: 1) '
        "{ document(format: CSV) { fileName } } }",
    ]:
        body = await post(client, query)
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] in ("INVALID_INPUT", "NOT_FOUND")
        assert error["extensions"]["inputPath"] == ["source"]
    # a document of every target of a huge limit is priced like the report, before it runs
    body = await post(client, DOCUMENT, format="CSV", limit=10**6)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert (await store.registry(), await store.counts()) == before


@pytest.mark.parametrize("role", list(Role))
async def test_a_document_needs_the_impact_permission(store: GraphStore, role: Role) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    async with asgi_client(store, role) as client:
        body = await post(client, DOCUMENT, format="CSV")
    if role.allows(Permission.IMPACT):
        assert body["data"]["impactReport"]["document"]["content"].startswith("asOf,rank,")
    else:
        [error] = body["errors"]
        assert (error["extensions"]["code"], error["path"]) == ("FORBIDDEN", ["impactReport"])
