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
    "StartLabels": "`Customer`",
    "pattern": "-[:`HAS_SUBSIDIARY`]->(n0:`Subsidiary` WHERE true)",
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
            text = q.load(name)
            wanted = set(re.findall(r"\{\{(\w+)\}\}", text))
            rendered = q.render(name, **{k: SAMPLE_FRAGMENTS[k] for k in wanted})
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
