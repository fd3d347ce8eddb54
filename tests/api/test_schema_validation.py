"""Validation results are kept by the schema that validated, and by no other."""

from __future__ import annotations

from graph_crm.api.live import LiveSchema
from graph_crm.api.schema import core_schema
from graph_crm.api.typed.build import build_schema
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_app_client
from tests.api.graphql import DEFINE_ENTITY_TYPE, post, succeed
from tests.contract.crm import CUSTOMER

WAREHOUSE = {"name": "Warehouse", "properties": [{"name": "city", "kind": "STRING"}]}


async def test_each_registry_versions_schema_remembers_its_own_validation(
    embedded_store: GraphStore,
) -> None:
    registry = await embedded_store.define_entity_type(CUSTOMER)
    served = build_schema(core_schema(), registry)
    assert served.validated is not core_schema().validated
    assert len(served.validated) == 0
    again = build_schema(core_schema(), registry)
    assert again.validated is not served.validated


async def test_a_document_is_validated_once_per_schema_and_answered_the_same(
    embedded_store: GraphStore,
) -> None:
    async with asgi_app_client(embedded_store) as (app, client):
        live: LiveSchema = app.state.live_schema
        wrong = "{ warehouses { totalCount } }"
        first = await post(client, wrong)
        assert "Cannot query field 'warehouses'" in first["errors"][0]["message"]
        before = live.current
        remembered = len(before.validated)
        assert await post(client, wrong) == first
        assert len(before.validated) == remembered  # the same document: no new entry

        await succeed(client, DEFINE_ENTITY_TYPE, "defineEntityType", input=WAREHOUSE)
        # The new version's schema validates afresh: what the old one answered is not
        # its answer, and the old one's results are not carried over.
        assert await post(client, wrong) == {"data": {"warehouses": {"totalCount": 0}}}
        assert live.current is not before
        assert len(live.current.validated) == 1
