"""Neo4j batch writes (graph_crm/store/neo4j/batch_rows.py): values that travel as text
are stored exactly as the driver stores the Python value, property names reach the
statement only checked, and the batch plans buffer no more than the bare statement's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase

from graph_crm.model.types import EntityType, PropertyKind, PropertySpec
from graph_crm.store.base import GraphStore
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.batch_rows import assignments, unchanged
from graph_crm.store.neo4j.statements import cypher
from tests.neo4j_env import Neo4jTarget

pytestmark = pytest.mark.neo4j

KINDS = {
    "title": "STRING",
    "at": "DATETIME",
    "day": "DATE",
    "data": "JSON",
    "score": "FLOAT",
    "seats": "INT",
    "open": "BOOLEAN",
}
EVENT: dict[str, Any] = {
    "name": "Event",
    "properties": [{"name": name, "kind": kind} for name, kind in KINDS.items()],
}
FOLLOWS: dict[str, Any] = {
    "name": "FOLLOWS",
    "from": "Event",
    "to": "Event",
    "properties": [{"name": "at", "kind": "DATETIME"}, {"name": "day", "kind": "DATE"}],
}
AT = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
FULL: dict[str, Any] = {
    "key": "E1",
    "title": "Launch 发布会",
    "at": AT,
    "day": date(1996, 7, 4),
    "data": {"b": [1, 2.5, None], "a": "x"},
    "score": 0.1,
    "seats": 120,
    "open": True,
}


async def _query(target: Neo4jTarget, text: str, **params: Any) -> list[dict[str, Any]]:
    async with AsyncGraphDatabase.driver(target.uri, notifications_min_severity="OFF") as driver:
        records, _, _ = await driver.execute_query(text, params, database_=target.database)
        return [record.data() for record in records]


async def test_temporals_sent_as_text_are_stored_as_the_driver_stores_them(
    neo4j_store: GraphStore, neo4j_target: Neo4jTarget
) -> None:
    await neo4j_store.define_entity_type(EVENT)
    await neo4j_store.define_relation_type(FOLLOWS)
    on_the_second = {"key": "E2", "at": datetime(2026, 1, 1, tzinfo=UTC), "day": date(2026, 1, 1)}
    written = await neo4j_store.write_batch(
        {"Event": [FULL, on_the_second]},
        {"FOLLOWS": [{"from": "E1", "to": "E2", "properties": {"at": AT, "day": FULL["day"]}}]},
    )
    assert (written.written["Event"].created, written.linked["FOLLOWS"].created) == (2, 1)

    # compared with the same values as the driver sends them (Python temporals)
    (stored,) = await _query(
        neo4j_target,
        "MATCH (n:Event {key: 'E1'})-[r:FOLLOWS]->(m:Event {key: 'E2'}) "
        "RETURN n.at = $at AND r.at = $at AND m.at = $second AS sameAt, "
        "n.day = $day AND r.day = $day AND m.day = $firstDay AS sameDay, "
        "[valueType(n.at), valueType(r.at), valueType(n.day), valueType(r.day)] AS types, "
        "[n.at.timezone, m.at.timezone, r.at.timezone] AS zones, toString(n.at) AS text, "
        "valueType(n.data) AS jsonType, valueType(n.seats) AS intType",
        at=AT,
        second=on_the_second["at"],
        day=FULL["day"],
        firstDay=on_the_second["day"],
    )
    assert stored == {
        "sameAt": True,
        "sameDay": True,
        "types": ["ZONED DATETIME NOT NULL", "ZONED DATETIME NOT NULL"]
        + ["DATE NOT NULL", "DATE NOT NULL"],
        "zones": ["Z", "Z", "Z"],
        "text": "2026-03-04T05:06:07.123456Z",
        "jsonType": "STRING NOT NULL",
        "intType": "INTEGER NOT NULL",
    }
    first, second = await neo4j_store.get_entities(["Event:E1", "Event:E2"])
    assert first is not None
    assert second is not None
    assert first.properties == {name: value for name, value in FULL.items() if name != "key"}
    assert second.properties == {"at": on_the_second["at"], "day": on_the_second["day"]}

    # the ends of the ranges a Python date and datetime hold
    ends: list[dict[str, Any]] = [
        {"key": "E-MIN", "at": datetime(1, 1, 1, tzinfo=UTC), "day": date(1, 1, 1)},
        {"key": "E-MAX", "at": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)},
    ]
    ends[1]["day"] = date(9999, 12, 31)
    await neo4j_store.write_batch({"Event": ends})
    for end in ends:
        (same,) = await _query(
            neo4j_target,
            "MATCH (n:Event {key: $key}) RETURN n.at = $at AND n.day = $day AS same",
            **end,
        )
        assert same == {"same": True}, end
    stored_ends = await neo4j_store.get_entities(["Event:E-MIN", "Event:E-MAX"])
    assert [entity.properties if entity else None for entity in stored_ends] == [
        {"at": end["at"], "day": end["day"]} for end in ends
    ]

    # the same rows again change nothing; a null removes a property
    again = await neo4j_store.write_batch({"Event": [FULL, on_the_second]})
    assert again.written["Event"].unchanged == 2
    cleared = await neo4j_store.write_batch({"Event": [{**FULL, "at": None, "day": None}]})
    assert cleared.written["Event"].updated == 1
    (row,) = await _query(neo4j_target, "MATCH (n:Event {key: 'E1'}) RETURN keys(n) AS keys")
    assert not {"at", "day"} & set(row["keys"])


def _operators(plan: dict[str, Any]) -> list[tuple[str, str]]:
    found = [(plan["operatorType"].split("@")[0], str(plan.get("args", {}).get("Details", "")))]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


async def test_batch_plans_buffer_no_more_than_the_bare_statement(
    neo4j_store: GraphStore, neo4j_target: Neo4jTarget
) -> None:
    await neo4j_store.define_entity_type(EVENT)
    await neo4j_store.define_relation_type(FOLLOWS)
    registry = await neo4j_store.registry()
    event, follows = registry.entity_type("Event"), registry.relation_type("FOLLOWS")
    upsert = cypher(q.ENTITY_UPSERT, Label=q.label("Event"), assign=assignments(event, "n"))
    link = cypher(
        q.RELATION_LINK,
        From=q.label("Event"),
        To=q.label("Event"),
        REL=q.rel_type("FOLLOWS"),
        assign=assignments(follows, "r"),
        same=unchanged(follows, "r"),
    )
    async with AsyncGraphDatabase.driver(neo4j_target.uri) as driver:
        for statement in (upsert, link):
            async with driver.session(database=neo4j_target.database) as session:
                result = await session.run("EXPLAIN " + statement, now=AT)
                plan = (await result.consume()).plan
            assert plan is not None
            eager = [details for name, details in _operators(plan) if name == "Eager"]
            # the bare MERGE … SET n += r.props has one, for the map that may write any
            # property; naming the properties leaves only the read-then-write of the
            # revision (entities) or of the values compared (relations)
            assert len(eager) <= 1, eager
            assert not any("some property" in details for details in eager), eager


def test_only_checked_property_names_reach_the_statement() -> None:
    hostile = PropertySpec.model_construct(
        name="x = 1 DETACH DELETE n //", kind=PropertyKind.STRING
    )
    definition = EntityType.model_construct(name="Event", properties=(hostile,))
    with pytest.raises(ValueError, match="unchecked property"):
        assignments(definition, "n")
    with pytest.raises(ValueError, match="unchecked property"):
        unchanged(definition, "r")
    spec = PropertySpec(name="at", kind=PropertyKind.DATETIME)
    checked = EntityType.model_construct(name="Event", properties=(spec,))
    assert assignments(checked, "n") == ", n.`at` = datetime($v[0][i])"
    assert unchanged(checked, "r") == (
        "coalesce(r.`at` = datetime($v[0][i]), r.`at` IS NULL AND datetime($v[0][i]) IS NULL)"
    )
    assert unchanged(EntityType.model_construct(name="Event", properties=()), "r") == "true"


def test_long_list_parameters_pack_as_lists_and_print_short() -> None:
    # the driver formats every RUN's parameters for its debug log, logging on or off:
    # long lists travel as a list type whose repr is short, packed byte for byte as a list
    from neo4j._codec.hydration.bolt.v2 import HydrationHandler
    from neo4j._codec.packstream.v1 import Packer

    from graph_crm.store.neo4j.statements import _columns

    params = {
        "keys": [f"K{i}" for i in range(5000)],
        "v": [[0.5] * 5000, [None, "2026-01-01"] * 2500],
        "records": [{"ids": ["a:1"] * 100, "actor": "x"}],
        "now": AT,
    }
    quiet = _columns(params)
    assert len(repr(quiet)) < 300, repr(quiet)[:400]
    assert quiet == params

    def packed(value: dict[str, Any]) -> bytes:
        out = bytearray()

        class Sink:
            def write(self, data: bytes) -> None:
                out.extend(data)

        hooks = HydrationHandler().new_hydration_scope().dehydration_hooks
        Packer(Sink()).pack(value, dehydration_hooks=hooks)  # type: ignore[no-untyped-call]
        return bytes(out)

    assert packed(quiet) == packed(params)
