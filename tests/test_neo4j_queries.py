"""Every file in cypher/ is used by the store and parses on the real server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from neo4j import AsyncGraphDatabase

from graph_crm.store.neo4j import queries as q
from tests.neo4j_env import Neo4jTarget

pytestmark = pytest.mark.neo4j

SAMPLE_FRAGMENTS = {
    "Label": "`Customer`",
    "From": "`Customer`",
    "To": "`Subsidiary`",
    "REL": "`HAS_SUBSIDIARY`",
    "prop": "`name`",
    "name": "`graph_crm_key_Customer`",
    "nameLiteral": "'Customer'",
    "where": "n.`name` = $p0",
    "order": "n.key ASC",
    # entity_upsert: each property by name (graph_crm/store/neo4j/batch_rows.py)
    "assign": ", n.`name` = $v[0][i], n.`since` = date($v[1][i])",
    "StartLabels": "`Customer`",
    "depths": "",  # traverse.cypher with no depth block; the contract suite runs real ones
    "parts": "MATCH (n:`Customer`) "
    "RETURN 'ENTITY' AS way, 'Customer' AS name, count(n) AS ends, 0 AS edges, 0 AS most",
    "labelValue": "n.`name`",
    "degrees": "COUNT { (n)-[:`HAS_SUBSIDIARY`]->() }",
    "countParts": "UNWIND $keys['Customer'] AS key MATCH (n:`Customer` {key: key}) "
    "RETURN 'Customer' AS type, key, [COUNT { (n)-[:`HAS_SUBSIDIARY`]->() }] AS counts",
    # impact.cypher: a two-step plan with a roll-up (graph_crm/store/neo4j/impact_compile.py)
    "SourceLabel": "`Warehouse`",
    "reach": "(e0)<-[:`ROUTED_VIA`]-(e1:`Shipment` WHERE (e1.`status` IN $p0))"
    "-[:`SHIPPED_FOR`]->(e2:`Customer` WHERE true)",
    "simplePath": "true",
    "groupKey": "e2",
    "headIds": "e1.id + $separator",
    "climb": "WITH e2 AS start, heads, [climb = (e2)<-[:`PARENT_OF`*0..2]-(top) "
    "WHERE length(climb) = $rollupHops OR NOT EXISTS { (top)<-[:`PARENT_OF`]-() } "
    "| nodes(climb)[1..]] AS climbs UNWIND climbs AS climb "
    "WITH heads, reduce(text = start.id, x IN climb | text + $separator + x.id) AS tail, "
    "size(climb) AS climbed, coalesce(climb[-1], start) AS top",
    "exposureNode": "e1",
    "exposureValue": "x.`value`",
    "slaNode": "null",
    "slaCandidates": "[(top)-[:`HAS_CONTRACT`]->(y:`Contract` WHERE true)"
    " WHERE y.`slaDeadline` IS NOT NULL | [y.`slaDeadline`, y.id]]",
    "slaEncoded": "sla[0].epochSeconds * 1000000 + sla[0].nanosecond / 1000",
    "complaints": "MATCH (top)-[:`FILED`]->(c:`Complaint` WHERE true) "
    "WHERE c.`filedAt` >= $windowStart AND c.`filedAt` <= $windowEnd",
    # a rollup's statements (store/neo4j/rollup_write.py): Customer.value over 2 hops
    "Owner": "`Customer`",
    "Near": "`Order`",
    "Far": "`OrderLine`",
    "back": "<-[:`HAS_LINE`]-",
    "walk": "-[:`PLACED`]->(m:`Order`) WITH DISTINCT o, m MATCH (m)-[:`HAS_LINE`]->(f:`OrderLine`)",
    "value": "row.v",
    # read_operation.cypher: a page's count as its one column (store/neo4j/read_compile.py)
    "roots": "COUNT { MATCH (n0:`Customer`) WHERE true } AS t0",
    "calls": "OPTIONAL CALL () { WITH COUNT { (:`Customer`) } AS size WHERE size <= 9 "
    "OPTIONAL MATCH (n0:`Customer`) WHERE true RETURN size AS s0, collect(n0) AS m0 }\n",
}
#: Where a file's fragment differs: relation_link assigns to its relation ``r`` and
#: compares the stored values with the row's (graph_crm/store/neo4j/batch_rows.py).
SAMPLE_FRAGMENTS_OF = {
    "relation_link": {
        "assign": ", r.`share` = $v[0][i]",
        "same": "coalesce(r.`share` = $v[0][i], r.`share` IS NULL AND $v[0][i] IS NULL)",
    }
}


def test_every_query_file_has_a_constant_and_is_used() -> None:
    files = {path.stem for path in q.cypher_dir().glob("*.cypher")}
    assert files == set(q.ALL_QUERIES)
    sources = "".join(
        path.read_text()
        for path in Path(q.__file__).parent.glob("*.py")
        if path.name != "queries.py"
    )
    constants = {name for name in dir(q) if name.isupper() and getattr(q, name) in files}
    unused = sorted(c for c in constants if not re.search(rf"\bq\.{c}\b", sources))
    assert unused == []


async def test_every_query_parses(neo4j_target: Neo4jTarget) -> None:
    async with AsyncGraphDatabase.driver(
        neo4j_target.uri, notifications_min_severity="OFF"
    ) as driver:
        for name in q.ALL_QUERIES:
            if name in q.FRAGMENTS:
                continue  # a part of another statement, parsed within it
            text = q.load(name)
            wanted = set(re.findall(r"\{\{(\w+)\}\}", text))
            samples = {**SAMPLE_FRAGMENTS, **SAMPLE_FRAGMENTS_OF.get(name, {})}
            rendered = q.render(name, **{k: samples[k] for k in wanted})
            if (
                rendered.lstrip()
                .upper()
                .startswith(("CREATE CONSTRAINT", "DROP CONSTRAINT", "SHOW"))
            ):
                continue  # schema commands cannot be EXPLAINed; the contract suite runs them
            await driver.execute_query("EXPLAIN " + rendered, database_=neo4j_target.database)


@pytest.mark.parametrize("hostile", ["A`B", "Customer` DETACH DELETE n //", "x'y", "A B"])
def test_identifiers_are_checked_before_they_reach_cypher(hostile: str) -> None:
    for quote in (q.label, q.rel_type, q.prop, q.name_literal):
        with pytest.raises(ValueError, match="refusing"):
            quote(hostile)
