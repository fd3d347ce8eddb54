"""Superseded schemas are freed: types defined one by one through the API, a request on
each new schema, and the schemas alive stay bounded (issue 15).

Before, strawberry's process-wide validation cache kept every schema it had validated
for (up to 256): after 300 types one worker held 128 of them and 1 GB. The 300-type run
takes minutes on a shared 2-core machine, so it is a ``load`` test; the 30-type run is
the same check in the default run, on both backends.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
from graphql import GraphQLSchema

from graph_crm.api.live import LiveSchema
from graph_crm.api.schema import CoreSchema
from graph_crm.model.english import plural
from graph_crm.model.graphql_names import lower_first
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_app_client
from tests.api.graphql import DEFINE_ENTITY_TYPE, data, succeed

PROPERTIES = [
    {"name": "name", "kind": "STRING"},
    {"name": "tier", "kind": "ENUM", "values": ["GOLD", "SILVER"]},
    {"name": "value", "kind": "FLOAT"},
    {"name": "due", "kind": "DATE"},
]
#: Most RSS growth (MiB) over 300 types: measured 32 MiB (bench/schema_churn.py; one
#: schema of 300 types and the allocator's slack), against 960 MiB before.
RSS_GROWTH_300_MIB = 120


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def schemas_alive() -> int:
    """graphql-core schemas of graph-crm's schemas (the core's and each version's)."""
    gc.collect()
    return sum(
        isinstance(found, GraphQLSchema)
        and isinstance(getattr(found, "_strawberry_schema", None), CoreSchema)
        for found in gc.get_objects()
    )


async def churn(store: GraphStore, count: int) -> float:
    """Define ``count`` types one by one, asking each new schema a question; check the
    schemas alive as it goes. Returns the RSS growth in MiB."""
    async with asgi_app_client(store) as (app, client):
        live: LiveSchema = app.state.live_schema
        await data(client, "{ __typename }")
        at_start = schemas_alive()  # the core's and the empty registry's
        rss_at_start = rss_mib()
        served: list[weakref.ref[CoreSchema]] = []
        for index in range(count):
            name = f"Kind{index:03}"
            definition = {"name": name, "properties": PROPERTIES}
            await succeed(client, DEFINE_ENTITY_TYPE, "defineEntityType", input=definition)
            # the new type's own field: only the new version's schema can answer it (an
            # introspection question would cost a walk of the whole schema each time)
            listed = plural(lower_first(name))
            question = f"{{ {listed}(first: 1) {{ totalCount }} }}"
            assert await data(client, question) == {listed: {"totalCount": 0}}
            served.append(weakref.ref(live.current))
            if index % 10 == 9 or index == count - 1:
                alive = schemas_alive()
                # Only the newest version's schema (and the core's) outlive their requests.
                assert [ref() for ref in served if ref() is not None] == [live.current]
                assert alive <= at_start, f"{alive} schemas alive after {index + 1} types"
        assert live.builds == count + 1
        # What the newest schema remembers is its own: a handful of documents.
        assert len(live.current.validated) <= 2
        return rss_mib() - rss_at_start


async def test_old_schemas_are_freed_as_types_are_defined_one_by_one(store: GraphStore) -> None:
    growth = await churn(store, 30)
    assert growth < RSS_GROWTH_300_MIB


@pytest.mark.big  # a minute of one core: scripts/test --all, beside the browser tests
async def test_300_types_one_by_one_keep_one_schema_and_bounded_memory(
    embedded_store: GraphStore,
) -> None:
    growth = await churn(embedded_store, 300)
    assert growth < RSS_GROWTH_300_MIB, f"RSS grew {growth:.0f} MiB"
