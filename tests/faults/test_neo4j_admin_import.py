"""`import-csv --neo4j-admin-files`: the files, loaded by the real `neo4j-admin database
import full` into a stopped Neo4j, make the graph an online import makes.

The seeds/orders export is imported online into the fault server (schema applied
first), and the graph read raw: every entity node's labels, properties and their Neo4j
types, every relationship, the registry, its definitions and history, the audit log
and the constraints. Then the same mapping is written as files from an embedded store
holding the same schema, the server is stopped, the command line the CLI printed is run
with the Neo4j jars (the official tool), the server is started, graph-crm opens it once
as the printed follow-up says, and the graph read again: the same, but for times and
audit ids, and for the definition records' empty id lists, which the importer cannot
write (graph-crm reads an absent list as an empty one). Hostile keys and values
(quotes, commas, line breaks, Unicode, an empty string) round-trip through the files.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase

from graph_crm.store.neo4j.store import Neo4jStore
from tests.cli_process import run
from tests.docs.blocks import doc_block
from tools.neo4j_local import LocalNeo4j, admin

pytestmark = [pytest.mark.faults, pytest.mark.neo4j]

ORDERS = Path(__file__).resolve().parents[2] / "seeds" / "orders"
_TIMES = {"createdAt", "updatedAt"}

HOSTILE_SCHEMA = """
entityTypes:
- name: Note
  properties:
  - {name: text, kind: STRING}
  - {name: blank, kind: STRING}
  - {name: count, kind: INT}
  - {name: done, kind: BOOLEAN}
relationTypes:
- name: CITES
  from: Note
  to: Note
  properties:
  - {name: why, kind: STRING}
"""
HOSTILE_MAPPING = """
nulls: ["NULL"]
trim: false
entities:
  - file: notes.csv
    type: Note
    key: id
    columns: {text: text, blank: blank, count: count, done: done}
relations:
  - file: cites.csv
    relation: CITES
    from: a
    to: b
    columns: {why: why}
"""
HOSTILE_KEY = 'a,"b"; 中文 ü'
HOSTILE_TEXT = ' two\nlines, "quoted"\r\nand ; \\ end '


def _cli(*args: str) -> str:
    done = run(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _neo4j(server: LocalNeo4j) -> tuple[str, ...]:
    return ("--backend", "neo4j", "--neo4j-uri", server.uri)


def _bulk_load(server: LocalNeo4j, printed: str) -> None:
    """Stop the server, run the printed neo4j-admin line with the jars, start it, and
    open it once with graph-crm (the printed follow-up)."""
    lines = printed.splitlines()
    command = shlex.split(lines[lines.index("Next (docs/import.md): stop Neo4j, then run") + 1])
    assert command[:4] == ["neo4j-admin", "database", "import", "full"]
    assert server.home is not None
    server.shutdown()
    done = admin(server.home, command[1:], timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    server.restart()
    assert "graph-crm --backend neo4j types" in printed
    _cli("types", *_neo4j(server))


async def _graph(server: LocalNeo4j, *, times: bool = False) -> dict[str, Any]:
    """Everything graph-crm stores, raw, with what differs by nature (times, unless
    ``times``; audit ids) left out; property types as Neo4j names them."""
    queries = {
        "entities": "MATCH (n:Entity) RETURN labels(n) AS labels, properties(n) AS props, "
        "[k IN keys(n) | k + ' ' + valueType(n[k])] AS types ORDER BY n.id",
        "relations": "MATCH (a:Entity)-[r]->(b:Entity) RETURN type(r) AS type, a.id AS a, "
        "b.id AS b, properties(r) AS props, [k IN keys(r) | k + ' ' + valueType(r[k])] AS "
        "types ORDER BY type, a, b",
        "registry": "MATCH (r:_GraphCrmRegistry) RETURN properties(r) AS props",
        "definitions": "MATCH (d:_GraphCrmTypeDef) RETURN d.kind AS kind, d.name AS name, "
        "d.definition AS definition ORDER BY kind, name",
        "changes": "MATCH (c:_GraphCrmChange) RETURN properties(c) AS props "
        "ORDER BY c.version, c.step",
        "audit": "MATCH (a:_GraphCrmAudit) RETURN properties(a) AS props",
        "constraints": "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
        "RETURN name, type, labelsOrTypes, properties ORDER BY name",
        "indexes": "SHOW INDEXES YIELD name, labelsOrTypes, properties "
        "RETURN name, labelsOrTypes, properties ORDER BY name",
    }
    driver = AsyncGraphDatabase.driver(server.uri, auth=None)
    graph: dict[str, Any] = {}
    async with driver, driver.session() as session:
        for name, query in queries.items():
            graph[name] = [record.data() async for record in await session.run(query)]
    for row in graph["entities"]:
        row["labels"] = sorted(row["labels"])  # in no particular order
    for row in graph["entities"] + graph["relations"]:
        if not times:
            row["props"] = {k: v for k, v in row["props"].items() if k not in _TIMES}
        row["types"] = sorted(row["types"])
    for row in graph["definitions"]:
        row["definition"] = json.loads(row["definition"])
    # ours: the store's own and its types' (a test before may have left others behind)
    labels = {row["name"] for row in graph["definitions"]}
    for part in ("constraints", "indexes"):
        graph[part] = [
            row
            for row in graph[part]
            if row["labelsOrTypes"] is None
            or all(name in labels or name.startswith("_GraphCrm") for name in row["labelsOrTypes"])
        ]
    for row in graph["changes"]:
        row["props"].pop("at")
    audit = []
    for row in graph["audit"]:
        props = {k: v for k, v in row["props"].items() if k not in ("id", "at")}
        props["ids"] = sorted(props.get("ids") or [])
        audit.append(json.dumps(props, sort_keys=True))
    graph["audit"] = sorted(audit)
    return graph


async def test_bulk_files_make_the_graph_an_online_import_makes(
    victim: LocalNeo4j, tmp_path: Path
) -> None:
    neo4j = _neo4j(victim)
    _cli("schema", "apply", str(ORDERS / "schema.yaml"), *neo4j)
    _cli("import-csv", str(ORDERS / "mapping.yaml"), *neo4j, "--quiet")
    online = await _graph(victim)
    assert len(online["entities"]) == 12
    assert len(online["relations"]) == 9

    db = str(tmp_path / "source.db")
    _cli("schema", "apply", str(ORDERS / "schema.yaml"), "--db", db)
    files = tmp_path / "files"
    args = ("import-csv", str(ORDERS / "mapping.yaml"), "--db", db, "--quiet")
    printed = _cli(*args, "--rejects", str(tmp_path / "r.csv"), "--neo4j-admin-files", str(files))
    assert f"wrote 16 row(s) as neo4j-admin files in {files}" in printed
    assert "Client (0)" in _cli("types", "--db", db)  # the source store is not written
    _bulk_load(victim, printed)

    bulk = await _graph(victim)
    for part in online:
        for got, want in zip(bulk[part], online[part], strict=True):
            assert got == want, part

    store = await Neo4jStore.open(victim.uri)
    try:
        counts = await store.counts()
        assert counts.entities == {"Client": 4, "Purchase": 5, "Supplier": 3}
        assert counts.relations == {"PLACED": 5, "SUPPLIES": 4}
        [alfki] = await store.get_entities(["Client:ALFKI"])
        assert alfki is not None
        assert alfki.properties["vip"] is True
    finally:
        await store.close()
    # re-running the import online over the bulk-loaded graph changes nothing
    again = _cli("import-csv", str(ORDERS / "mapping.yaml"), *neo4j, "--quiet")
    assert "imported 16 row(s)" in again
    assert (await _graph(victim))["audit"] == online["audit"]


async def test_an_export_as_bulk_files_makes_the_graph_an_online_import_makes(
    victim: LocalNeo4j, tmp_path: Path
) -> None:
    db = str(tmp_path / "source.db")
    _cli("schema", "apply", str(ORDERS / "schema.yaml"), "--db", db)
    _cli("import-csv", str(ORDERS / "mapping.yaml"), "--db", db, "--quiet")
    dump = str(tmp_path / "orders.jsonl")
    _cli("export", dump, "--db", db, "--quiet")
    _cli("import", dump, *_neo4j(victim), "--quiet")
    online = await _graph(victim, times=True)

    files = str(tmp_path / "files")
    unused = str(tmp_path / "unused.db")
    printed = _cli("import", dump, "--db", unused, "--quiet", "--neo4j-admin-files", files)
    _bulk_load(victim, printed)

    bulk = await _graph(victim, times=True)  # an export keeps its times
    for part in online:
        for got, want in zip(bulk[part], online[part], strict=True):
            assert got == want, part


def test_the_documented_steps_are_the_ones_the_test_takes() -> None:
    steps = [shlex.split(line) for line in doc_block("admin-import").text.splitlines()]
    assert [step[:2] for step in steps] == [
        ["graph-crm", "schema"],
        ["graph-crm", "import-csv"],
        ["neo4j", "stop"],
        ["neo4j-admin", "database"],
        ["neo4j", "start"],
        ["graph-crm", "--backend"],
    ]
    assert steps[1][-2] == "--neo4j-admin-files"
    # the options the CLI prints (test_cli_admin_files checks them), in its order
    assert steps[3][:8] == [
        "neo4j-admin", "database", "import", "full", "neo4j",
        "--overwrite-destination=true", "--bad-tolerance=0", "--array-delimiter=U+001F",
    ]  # fmt: skip
    assert steps[5] == ["graph-crm", "--backend", "neo4j", "types"]


async def test_hostile_keys_and_values_round_trip_through_the_files(
    victim: LocalNeo4j, tmp_path: Path
) -> None:
    (tmp_path / "schema.yaml").write_text(HOSTILE_SCHEMA, encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(HOSTILE_MAPPING, encoding="utf-8")

    def quote(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    notes = [
        f"id,text,blank,count,done\n{quote(HOSTILE_KEY)},{quote(HOSTILE_TEXT)},,-7,yes\n",
        f'plain,"NULL",{quote(" ")},0,no\n',
    ]
    (tmp_path / "notes.csv").write_text("".join(notes), encoding="utf-8", newline="")
    cites = f"a,b,why\n{quote(HOSTILE_KEY)},plain,{quote(HOSTILE_TEXT)}\n"
    (tmp_path / "cites.csv").write_text(cites, encoding="utf-8", newline="")
    db = str(tmp_path / "source.db")
    _cli("schema", "apply", str(tmp_path / "schema.yaml"), "--db", db)
    files = tmp_path / "files"
    printed = _cli(
        "import-csv", str(tmp_path / "mapping.yaml"), "--db", db, "--neo4j-admin-files", str(files)
    )
    assert "--multiline-fields=true" in printed
    _bulk_load(victim, printed)

    store = await Neo4jStore.open(victim.uri)
    try:
        hostile, plain = await store.get_entities([f"Note:{HOSTILE_KEY}", "Note:plain"])
        assert hostile is not None
        assert plain is not None
        assert hostile.key == HOSTILE_KEY
        assert hostile.properties == {"text": HOSTILE_TEXT, "blank": "", "count": -7, "done": True}
        assert plain.properties == {"blank": " ", "count": 0, "done": False}
        page = await store.list_relations("CITES")
        [cited] = page.items
        assert (cited.from_id, cited.to_id) == (f"Note:{HOSTILE_KEY}", "Note:plain")
        assert cited.properties == {"why": HOSTILE_TEXT}
        [record] = (await store.audit_log(type_name="Note", action="upsert")).items
        assert sorted(record.ids) == [f"Note:{HOSTILE_KEY}", "Note:plain"]
    finally:
        await store.close()
