"""The command blocks of docs/ (and the README's tour) run as written: through bash, from
a copy of the checkout holding the demo data in data/graph-crm.db (tests/docs/shell.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from graph_crm.store.embedded.store import EmbeddedStore
from tests.api.servers import free_port
from tests.docs.answers import load_demo
from tests.docs.blocks import REPO, Block, doc_block
from tests.docs.shell import (
    checkout_copy,
    commands,
    edited,
    on_port,
    run_block,
    run_command,
    serving,
    user_environment,
)
from tests.neo4j_env import Neo4jTarget, reset_database

AS_OF_LINE = "As of 2026-11-23 09:00 UTC"


@pytest.fixture(scope="module")
async def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "graph-crm.db"
    store = await EmbeddedStore.open(path)
    try:
        await load_demo(store)
    finally:
        await store.close()
    return path


@pytest.fixture
def checkout(tmp_path: Path, demo_db: Path) -> Path:
    return checkout_copy(tmp_path, demo_db)


def neo4j_environment(target: Neo4jTarget) -> dict[str, str]:
    """A user's environment with the test server's credentials (the URI is in the command)."""
    return user_environment(
        GRAPH_CRM_NEO4J_USER=target.user,
        GRAPH_CRM_NEO4J_PASSWORD=target.password,
        GRAPH_CRM_NEO4J_DATABASE=target.database,
    )


@pytest.mark.parametrize(
    "block", [doc_block("readme-tour-impact"), doc_block("impact-cli")], ids=lambda b: b.id
)
def test_the_impact_commands_report_the_headline_as_of_the_demo_data(
    block: Block, checkout: Path
) -> None:
    table, html = run_block(block, checkout, user_environment())
    assert "Impact of a 6-day delay at Warehouse RTM-02 (Rotterdam Maasvlakte 2)" in table.stdout
    assert AS_OF_LINE in table.stdout
    assert "138 affected · 53 predicted SLA breaches" in table.stdout
    assert html.stdout == ""
    page = (checkout / "rtm-02.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "2026-11-23 09:00 UTC" in page


def test_the_policy_commands_list_and_show_the_demo_policy(checkout: Path) -> None:
    listed, shown = run_block(doc_block("policy-cli"), checkout, user_environment())
    assert listed.stdout.startswith("customs-delay (rev 1): Warehouse -> Customer")
    assert json.loads(shown.stdout)["name"] == "customs-delay"


def test_the_command_line_tour_runs_on_the_demo_data(checkout: Path) -> None:
    types, traversal, seeded = run_block(doc_block("cli-tour"), checkout, user_environment())
    assert "  Customer (423) {" in types.stdout
    reached = [json.loads(line)["id"] for line in traversal.stdout.splitlines()]
    assert reached
    assert all(found.startswith("Buyer:") for found in reached)
    assert len(json.loads(seeded.stdout)["defined"]) == 15
    assert (checkout / "data" / "small.db").exists()


def test_the_documented_server_serves_and_the_schema_is_the_committed_one(
    checkout: Path, tmp_path: Path
) -> None:
    block = doc_block("api-serve")
    serve, _, export_schema, export_served = commands(block.text)
    port = free_port()
    env = user_environment()
    with serving(on_port(serve, port), checkout, env, port, tmp_path / "serve.log") as base:
        health = httpx.get(f"{base}/healthz").json()
        assert (health["status"], health["backend"]) == ("ok", "embedded")
        assert (
            httpx.post(f"{base}/graphql", json={"query": "{ entityTypes { name } }"}).status_code
            == 401
        )
    schema = run_command(export_schema, checkout, env).stdout
    assert schema == (REPO / "schema.graphql").read_text(encoding="utf-8")
    # the served schema: the core one and the demo's generated types
    served = run_command(export_served, checkout, env).stdout
    assert "type Customer " in served
    assert "upsertShipments(" in served
    assert "type Customer " not in schema


@pytest.mark.neo4j
async def test_the_documented_server_serves_from_neo4j(
    neo4j_target: Neo4jTarget, checkout: Path, tmp_path: Path
) -> None:
    await reset_database(neo4j_target)
    [on_neo4j] = [line for line in commands(doc_block("api-serve").text) if "neo4j" in line]
    port = free_port()
    command = on_port(on_neo4j.replace("bolt://127.0.0.1:7687", neo4j_target.uri), port)
    env = neo4j_environment(neo4j_target)
    with serving(command, checkout, env, port, tmp_path / "serve.log") as base:
        assert httpx.get(f"{base}/healthz").json()["backend"] == "neo4j"


def test_the_key_commands_create_list_and_revoke(checkout: Path) -> None:
    block = doc_block("security-keys")
    env = user_environment()
    create, listing, revoke = commands(block.text)
    made = run_command(create, checkout, env).stdout
    key_id = re.search(r"gcrm_([0-9a-f]{16})_", made)
    assert key_id is not None, made
    listed = run_command(listing, checkout, env).stdout
    assert re.search(rf"^{key_id[1]}\s+integration\s+nightly-erp-sync\b.*active$", listed, re.M)
    run_command(revoke.replace("3f9c0d1e2a4b5c6d", key_id[1]), checkout, env)
    again = run_command(listing, checkout, env).stdout
    assert not re.search(rf"^{key_id[1]}\b.*active$", again, re.M), again


def test_the_backup_command_copies_the_whole_store(checkout: Path) -> None:
    env = user_environment()
    run_command("graph-crm keys create --role analyst --name before-backup", checkout, env)
    run_block(doc_block("ops-backup"), checkout, env)
    copy = ["--db", "backup.db"]
    for command in ("graph-crm types", "graph-crm keys list", "graph-crm policy list"):
        original = run_command(command, checkout, env).stdout
        assert run_command(" ".join([command, *copy]), checkout, env).stdout == original
    assert (
        "before-backup" in run_command("graph-crm keys list --db backup.db", checkout, env).stdout
    )


@pytest.mark.neo4j
async def test_moving_to_neo4j_is_the_two_documented_commands(
    neo4j_target: Neo4jTarget, checkout: Path
) -> None:
    await reset_database(neo4j_target)
    block = doc_block("ops-move-to-neo4j")
    env = neo4j_environment(neo4j_target)
    run_block(block, checkout, env, {"bolt://db.example:7687": neo4j_target.uri})
    on_neo4j = f"graph-crm types --backend neo4j --neo4j-uri {neo4j_target.uri}"
    moved = run_command(on_neo4j, checkout, env).stdout
    assert moved == run_command("graph-crm types", checkout, env).stdout
    assert "423" in moved


def test_the_metrics_command_scrapes_with_the_token(checkout: Path, tmp_path: Path) -> None:
    token = "m" * 40
    env = user_environment(GRAPH_CRM_METRICS_TOKEN=token)
    port = free_port()
    command = f"graph-crm serve --port {port}"
    with serving(command, checkout, env, port, tmp_path / "serve.log"):
        block = doc_block("metrics-curl")
        [scraped] = run_block(block, checkout, env, {"127.0.0.1:8000": f"127.0.0.1:{port}"})
    assert "# TYPE graph_crm_graphql_requests_total counter" in scraped.stdout
    assert edited(block, {}) == block.text


def test_schema_as_code_exports_diffs_and_applies_the_demo_schema(checkout: Path) -> None:
    env = user_environment()
    export, diff, apply = run_block(doc_block("schema-cli"), checkout, env)
    assert "wrote 9 entity types, 9 relation types and 1 impact policies" in export.stdout
    assert "already holds it; nothing to do" in diff.stdout
    assert "already holds it; nothing to do" in apply.stdout
    document = checkout / "schema.yaml"
    text = document.read_text(encoding="utf-8")
    document.write_text(
        text.replace("- name: Buyer\n", "- name: Buyer\n  label: 采购联系人\n", 1), "utf-8"
    )
    changed = run_command("graph-crm schema diff schema.yaml", checkout, env).stdout
    assert '~ change entity type Buyer\n    changes label: null -> "采购联系人"' in changed
    applied = run_command("graph-crm schema apply schema.yaml", checkout, env).stdout
    assert "applied schema.yaml: registry version" in applied


def test_the_orders_export_imports_as_documented(checkout: Path) -> None:
    env = user_environment()
    applied, dry, imported, again = run_block(doc_block("import-orders"), checkout, env)
    assert "applied seeds/orders/schema.yaml: registry version 1" in applied.stdout
    assert "nothing written (a dry run)" in dry.stdout
    documented = doc_block("import-orders").text  # the table the page shows
    table = [line.split() for line in imported.stdout.splitlines()]
    assert table[2] == ["orders.csv", "Purchase", "5", "0", "5", "0", "0", "5"]
    assert "imported 16 row(s)" in imported.stdout
    assert [row[6] for row in [line.split() for line in again.stdout.splitlines()][1:5]] == [
        "4",
        "5",
        "3",
        "4",
    ]  # every row unchanged
    assert "seeds/orders/schema.yaml" in documented
    assert not (checkout / "seeds" / "orders" / "mapping.rejects.csv").exists()


def test_the_readme_brings_the_orders_export_in(checkout: Path) -> None:
    _, imported, exported = run_block(doc_block("readme-import"), checkout, user_environment())
    assert "imported 16 row(s)" in imported.stdout
    assert "- name: Supplier\n  label: 供应商\n" in exported.stdout
