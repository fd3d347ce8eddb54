"""Every GraphQL block of README.md and docs/ runs as written, in page order, on the demo
data (`./scripts/run` loads it), on each backend, and answers something."""

from __future__ import annotations

import json
from typing import Any

import httpx

from graph_crm.services.webhook_delivery import fan_out
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.api.asgi import asgi_client
from tests.api.graphql import data, post
from tests.docs.answers import gaps, load_demo
from tests.docs.blocks import QUERIES, Block, all_blocks, doc_block, variables_of

INCIDENT_BLOCKS = {doc_block(f"incidents-{name}") for name in ("ack", "work", "show")}
NOTE = """mutation Note($id: ID!) {
  addIncidentNote(id: $id, text: "Told the risk desk") { __typename }
}"""
COMPETITORS = [{"node": {"key": "GLOBEX", "name": "Globex Freight"}},
               {"node": {"key": "INITECH", "name": "Initech Logistics"}}]  # fmt: skip


def _mentions(answer: dict[str, Any]) -> list[str]:
    return sorted(
        competitor["name"]
        for subsidiary in answer["customer"]["hasSubsidiary"]
        for buyer in subsidiary["employs"]
        for log in buyer["wrote"]
        for competitor in log["mentions"]
    )


async def test_every_query_in_the_docs_answers_on_the_demo_data(store: GraphStore) -> None:
    await load_demo(store)
    answers: dict[Block, dict[str, Any]] = {}
    # the console's incident list (docs/console.md) lists the incident docs/incidents.md
    # opens: it runs last
    queries = sorted(
        (block for block in all_blocks() if block.language in QUERIES),
        key=lambda block: block == doc_block("console-incidents-list"),
    )
    async with asgi_client(store) as client:
        for block in queries:
            variables = variables_of(block)
            if block == doc_block("security-keys-revoke"):  # the key the page made
                made = answers[doc_block("security-keys-create")]["createApiKey"]["apiKey"]
                variables["id"] = made["id"]
            if block == doc_block("security-integrations-revoke"):  # the one the page made
                made = answers[doc_block("security-integrations-create")]["createIntegration"]
                variables["id"] = made["integration"]["id"]
            if block in INCIDENT_BLOCKS:  # the incident the page opened
                opened = answers[doc_block("incidents-report")]["reportDisruption"]
                variables["id"] = opened["incident"]["id"]
            if block == doc_block("webhooks-deliveries"):  # a change the webhook is told of
                await _note_the_incident(client, answers)
                await fan_out(store)
            body = await post(client, block.text, **variables)
            assert "errors" not in body, (block.where, body["errors"])
            assert gaps(body["data"]) == [], (block.where, gaps(body["data"]))
            answers[block] = body["data"]

        # what the pages say the session does
        load = doc_block("api-load")
        assert answers[doc_block("api-define")]["defineEntityType"]["__typename"] == (
            "EntityTypePayload"
        )
        written = answers[load]["upsertCustomsBrokers"]
        assert written == {"__typename": "WritePayload", "created": 2, "updated": 0, "unchanged": 0}
        again = await data(client, load.text, **variables_of(load))
        assert again["upsertCustomsBrokers"]["unchanged"] == 2  # "upserting again is a no-op"

    brokers = answers[doc_block("api-query")]
    assert brokers["customsBroker"]["name"] == "上海通关服务有限公司"
    assert (brokers["customsBroker"]["licensedSince"], brokers["customsBroker"]["rating"]) == (
        "2015-06-01",
        "A",
    )
    assert [edge["node"]["key"] for edge in brokers["customsBrokers"]["edges"]] == ["CB-SH-01"]
    assert brokers["customsBrokers"]["totalCount"] == 1

    for brief in (doc_block("readme-tour-query"), doc_block("api-competitors")):
        answer = answers[brief]
        assert answer["competitors"]["edges"] == COMPETITORS
        assert _mentions(answer) == ["Globex Freight", "Globex Freight", "Initech Logistics"]

    report = answers[doc_block("impact-graphql")]["impactReport"]
    assert report["totals"]["affected"] == 138
    assert [tier["tier"] for tier in report["totals"]["byTier"]] == ["T1", "T2", "T3"]
    assert len(report["targets"]) == 10
    assert report["targets"][0]["paths"][0][0]["label"] == "Rotterdam Maasvlakte 2"
    assert report["html"].startswith("<!DOCTYPE html>")

    explored = answers[doc_block("api-explore")]["entity"]
    counts = {(c["relation"], c["direction"]): c["count"] for c in explored["relationCounts"]}
    subsidiaries = explored["neighbors"]["edges"]
    assert counts["HAS_SUBSIDIARY", "OUT"] >= len(subsidiaries) > 0
    assert {relation for relation, _ in counts} == {
        "HAS_SUBSIDIARY",
        "FOR_CUSTOMER",
        "PARENT_OF",
        "HAS_CONTRACT",
        "FILED",
    }

    made = answers[doc_block("security-keys-create")]["createApiKey"]
    assert made["token"].startswith(f"gcrm_{made['apiKey']['id']}_")
    listed = answers[doc_block("security-keys-list")]["apiKeys"]
    assert made["apiKey"]["id"] in [key["id"] for key in listed]
    revoked = answers[doc_block("security-keys-revoke")]["revokeApiKey"]
    assert (revoked["alreadyRevoked"], revoked["ownKey"], revoked["apiKey"]["active"]) == (
        False,
        False,
        False,
    )
    _integration_blocks(answers)
    _definition_blocks(answers)
    console = answers[doc_block("console-viewer")]
    assert (console["viewer"]["role"], console["viewer"]["permissions"][-1]) == ("admin", "admin")
    counted = {item["name"]: item["count"] for item in console["typeCounts"]["entities"]}
    assert (counted["Customer"], counted["CustomsBroker"]) == (423, 2)  # the session's two

    _incident_blocks(answers)
    _webhook_blocks(answers)
    audit = answers[doc_block("security-audit-log")]["auditLog"]
    records = [edge["node"] for edge in audit["edges"]]
    assert {(record["actor"], record["type"]) for record in records} == {("demo", "Customer")}


def _integration_blocks(answers: dict[Block, dict[str, Any]]) -> None:
    """docs/security.md: an integration made, listed (no secret in the list), revoked."""
    made = answers[doc_block("security-integrations-create")]["createIntegration"]
    assert made["__typename"] == "IntegrationCreatePayload"
    assert len(made["secret"]) == 43
    integration = made["integration"]
    assert (integration["name"], integration["eventTypes"], integration["active"]) == (
        "tms-feed",
        ["DISRUPTION"],
        True,
    )
    listed = answers[doc_block("security-integrations-list")]["integrations"]
    assert integration["id"] in [row["id"] for row in listed]
    assert made["secret"] not in json.dumps(listed)
    revoked = answers[doc_block("security-integrations-revoke")]["revokeIntegration"]
    assert (revoked["alreadyRevoked"], revoked["integration"]["active"]) == (False, False)
    assert revoked["integration"]["id"] == integration["id"]


async def _note_the_incident(client: httpx.AsyncClient, answers: dict[Block, Any]) -> None:
    opened = answers[doc_block("incidents-report")]["reportDisruption"]["incident"]
    noted = await data(client, NOTE, id=opened["id"])
    assert noted["addIncidentNote"]["__typename"] == "IncidentPayload"


def _webhook_blocks(answers: dict[Block, dict[str, Any]]) -> None:
    """What docs/webhooks.md says an admin sees: the webhook made, listed, and told of the
    incident's next change."""
    made = answers[doc_block("webhooks-create")]["createWebhook"]
    assert made["__typename"] == "WebhookCreatePayload"
    assert made["webhook"]["filter"] == {"sourceTypes": ["Warehouse"], "versionsOnly": False}
    listed = answers[doc_block("webhooks-list")]["webhooks"]
    assert [w["id"] for w in listed] == [made["webhook"]["id"]]
    (told,) = answers[doc_block("webhooks-deliveries")]["webhookDeliveries"]["items"]
    assert (told["webhookId"], told["status"]) == (made["webhook"]["id"], "PENDING")
    assert told["id"] == f"{told['webhookId']}-{told['seq']:012d}"


def _incident_blocks(answers: dict[Block, dict[str, Any]]) -> None:
    """What docs/incidents.md says the risk team sees for the headline delay."""
    reported = answers[doc_block("incidents-report")]["reportDisruption"]
    assert reported["opened"]
    assert (reported["incident"]["status"], reported["version"]["reason"]) == ("OPEN", "opened")
    assert reported["version"]["totals"]["affected"] == 138
    acked = answers[doc_block("incidents-ack")]["acknowledgeIncident"]["incident"]
    assert (acked["status"], acked["revision"]) == ("ACKNOWLEDGED", 2)
    worked = answers[doc_block("incidents-work")]
    assert worked["assignIncident"]["__typename"] == "IncidentPayload"
    done = [i for i in worked["checkIncidentAction"]["incident"]["checklist"] if i["done"]]
    assert [(i["target"], i["by"] is not None) for i in done] == [
        ("Customer:QD-JINLONG-ELEC", True)
    ]
    shown = answers[doc_block("incidents-show")]
    assert (shown["incident"]["owner"], shown["incident"]["revision"]) == ("Risk desk EMEA", 5)
    assert [v["number"] for v in shown["incident"]["versions"]["items"]] == [1]
    assert shown["incidents"]["totalCount"] == 1
    listed = answers[doc_block("console-incidents-list")]["incidents"]
    assert [(e["node"]["source"], e["node"]["status"], e["node"]["version"])
            for e in listed["edges"]] == [("Warehouse:RTM-02", "ACKNOWLEDGED", 1)]  # fmt: skip


def _definition_blocks(answers: dict[Block, dict[str, Any]]) -> None:
    """What the pages say a config officer sees, changing types piece by piece."""
    preview = answers[doc_block("model-preview")]["previewDefinitions"]
    changed = {c["name"]: c["change"] for c in preview["schemaChanges"]}
    assert changed == {
        "Customer": "CHANGED",
        "CustomerInput": "CHANGED",
        "CustomerOrderField": "CHANGED",
        "CustomerSegment": "ADDED",
        "CustomerSegmentFilter": "ADDED",
        "CustomerWhere": "CHANGED",
    }
    defined = answers[doc_block("api-define")]["defineEntityType"]["entityType"]
    assert defined["label"] == "报关行"
    relation = answers[doc_block("api-preview")]["previewDefinitions"]
    assert relation["version"] == relation["currentVersion"] + 1
    lines = {c["name"]: "\n".join(c["added"]) for c in relation["schemaChanges"]}
    assert "clearsFor(" in lines["CustomsBroker"]
    assert "clearsForInverse(" in lines["Warehouse"]
    applied = answers[doc_block("api-apply")]["applyDefinitions"]
    assert applied["schemaVersion"] == relation["version"]
    assert [c["kind"] for c in applied["changes"]] == ["DEFINE_RELATION_TYPE"]
    warehouse = answers[doc_block("api-add-property")]["addProperty"]["entityType"]
    assert [p["name"] for p in warehouse["properties"]] == [
        "name",
        "city",
        "country",
        "customsCode",
    ]
    refused = answers[doc_block("api-drop-refused")]["previewDefinitions"]
    assert refused["version"] is None
    assert [r["path"] for r in refused["refusals"]] == [
        ["operations", "0", "dropProperty", "name"],
        ["operations", "1", "dropProperty", "name"],
    ]
    history = answers[doc_block("api-history")]["definitionHistory"]["edges"]
    assert [(e["node"]["kind"], e["node"]["name"]) for e in history] == [
        ("ALTER_ENTITY_TYPE", "Warehouse"),
        ("DEFINE_RELATION_TYPE", "CLEARS_FOR"),
        ("DEFINE_ENTITY_TYPE", "CustomsBroker"),
    ]
    # a schema document, a dry run: two new types, every other one kept
    checked = answers[doc_block("api-apply-schema")]["applySchema"]
    assert checked["applied"] is False
    assert [(c["action"], c["name"]) for c in checked["changes"]] == [
        ("add", "Forwarder"),
        ("add", "BOOKS_INTO"),
    ]
    assert "entity type Customer" in checked["kept"]


async def test_the_policy_example_is_valid_on_the_demo_types(
    embedded_store: EmbeddedStore,
) -> None:
    await load_demo(embedded_store)
    policy = json.loads(doc_block("policy-example").text)
    await embedded_store.alter_impact_policy(policy)
    stored = (await embedded_store.registry()).policies["customs-delay"]
    assert stored["description"] == policy["description"]
