"""CSV import (graph_crm/services/csv_import) on both backends: real exports' dates,
nulls, decimals, booleans, enum maps, encodings and delimiters; broken files refused at
their file, line and column with the store unchanged; skip-bad, dry run, re-run."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.services.csv_import import parse_mapping
from graph_crm.services.csv_import.report import WriteRefused
from graph_crm.store.base import GraphStore
from tests.contract.audit_log import everything
from tests.contract.csv_files import (
    CLIENTS,
    MAPPING,
    PURCHASES,
    SUPPLIES,
    define_types,
    run_import,
    write_export,
)
from tests.contract.refusal import Refusal
from tests.contract.snapshot import snapshot


def _rejects(folder: Path) -> list[dict[str, str]]:
    with (folder / "rejects.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


async def test_an_export_imports_with_its_dates_nulls_decimals_and_links(
    store: GraphStore, tmp_path: Path
) -> None:
    await define_types(store)
    mapping = write_export(tmp_path)

    report = await run_import(store, mapping, tmp_path)

    assert (report.written, report.rejected) == (True, 0)
    assert [(f.file, f.rows, f.created, f.linked) for f in report.files] == [
        ("clients.csv", 3, 3, 0),
        ("purchases.csv", 3, 3, 3),
        ("suppliers.tsv", 2, 2, 0),
        ("supplies.csv", 2, 2, 0),
    ]
    alfki, anatr, acme = await store.get_entities(["Client:ALFKI", "Client:ANATR", "Client:SHACM"])
    assert alfki is not None
    assert anatr is not None
    assert acme is not None
    assert alfki.properties == {
        "name": "Alfreds Futterkiste",
        "email": "alfki@example.com",
        "country": "Germany",
        "since": date(1996, 7, 4),
        "vip": True,
        "tier": "STRATEGIC",
    }
    # trimmed, NULL is no value
    assert anatr.properties == {
        "name": "Ana Trujillo",
        "country": "Mexico",
        "vip": False,
        "tier": "KEY",
    }
    assert acme.properties["since"] == date(1996, 7, 4)  # 04/07/1996, day first
    [purchase] = await store.get_entities(["Purchase:10248"])
    assert purchase is not None
    assert purchase.properties == {"placed": datetime(1996, 7, 4, tzinfo=UTC), "freight": 32.38}
    [no_freight] = await store.get_entities(["Purchase:10250"])
    assert no_freight is not None
    assert "freight" not in no_freight.properties
    placed = await store.traverse(["Client:SHACM"], [{"relation": "PLACED"}])
    assert [e.id for e in placed.reached] == ["Purchase:10250"]
    supplied = await store.traverse(["Supplier:S1"], [{"relation": "SUPPLIES"}])
    assert [e.id for e in supplied.reached] == ["Purchase:10248"]


async def test_running_it_again_changes_nothing_and_a_dry_run_counts(
    store: GraphStore, tmp_path: Path
) -> None:
    await define_types(store)
    mapping = write_export(tmp_path)
    await run_import(store, mapping, tmp_path)
    before = await snapshot(store), await everything(store)

    again = await run_import(store, mapping, tmp_path)
    assert [f.unchanged for f in again.files] == [3, 3, 2, 2]
    assert (await snapshot(store), await everything(store)) == before

    changed = CLIENTS.replace("Alfreds Futterkiste", "Alfreds") + "NEWCO,New Co,,,,,\n"
    # a relation file counts too: one link changed, one new, one as stored
    supplies = SUPPLIES.replace("S1,10248,3", "S1,10248,4") + "S1,10250,2\n"
    mapping = write_export(tmp_path, {"clients": changed, "supplies": supplies})
    dry = await run_import(store, mapping, tmp_path, dry_run=True)
    counts = {f.file: (f.created, f.updated, f.unchanged) for f in dry.files}
    assert counts["clients.csv"] == (1, 1, 2)
    assert counts["supplies.csv"] == (1, 1, 1)
    assert (dry.written, await snapshot(store)) == (False, before[0])


BROKEN = [
    pytest.param(
        {"purchases": PURCHASES + "10251;ALFKI;1996-07-09"},
        ("purchases.csv", "5", "Freight"),
        "3 cells where the header has 4 (a truncated line?)",
        id="truncated last line",
    ),
    pytest.param(
        {"clients": CLIENTS + "ANATR,Again,,,,,\n"},
        ("clients.csv", "5", "CustomerID"),
        "the key 'ANATR' is also on line 3",
        id="duplicate key",
    ),
    pytest.param(
        {"supplies": SUPPLIES + "S9,10248,1\n"},
        ("supplies.csv", "4", "SupplierID"),
        "no Supplier 'S9' (in the files or stored)",
        id="relation to a missing key",
    ),
    pytest.param(
        {"purchases": PURCHASES.replace("10249;ANATR", "10249;NOBODY")},
        ("purchases.csv", "3", "CustomerID"),
        "no Client 'NOBODY' (in the files or stored)",
        id="link column to a missing key",
    ),
    pytest.param(
        {"clients": CLIENTS.replace("04/07/1996", "1996.07.04")},
        ("clients.csv", "4", "Since"),
        "'1996.07.04' matches none of the formats",
        id="a date in no given format",
    ),
    pytest.param(
        {"clients": CLIENTS.replace(",Y,A\n", ",maybe,A\n", 1)},
        ("clients.csv", "2", "VIP"),
        "'maybe' is neither true",
        id="a boolean",
    ),
    pytest.param(
        {"clients": CLIENTS.replace(",N,B\n", ",N,Z\n")},
        ("clients.csv", "3", "Tier"),
        "'Z' is none of the mapped values A, B",
        id="an enum value not mapped",
    ),
    pytest.param(
        {"clients": CLIENTS.replace("acme@example.cn", "alfki@example.com")},
        ("clients.csv", "4", "Email"),
        "email must be unique; the row on line 2",
        id="a unique value twice",
    ),
    pytest.param(
        {"clients": CLIENTS.replace(",Germany,", ',Germany,"')},
        ("clients.csv", "2", ""),
        "unclosed quote",
        id="an unclosed quote",
    ),
    pytest.param(
        {"clients": CLIENTS.replace("CompanyName", "Company")},
        ("clients.csv", "1", ""),
        "no column 'CompanyName'",
        id="a header without a mapped column",
    ),
]


@pytest.mark.parametrize(("texts", "where", "reason"), BROKEN)
async def test_a_broken_file_is_refused_at_its_place_and_nothing_is_written(
    store: GraphStore,
    tmp_path: Path,
    texts: dict[str, str],
    where: tuple[str, str, str],
    reason: str,
) -> None:
    await define_types(store)
    before = await snapshot(store), await everything(store)
    mapping = write_export(tmp_path, texts)

    report = await run_import(store, mapping, tmp_path)

    assert (report.written, report.rejected) == (False, 1)
    [reject] = _rejects(tmp_path)
    assert (reject["file"], reject["line"], reject["column"]) == where
    assert reason in reject["reason"]
    assert (await snapshot(store), await everything(store)) == before


async def test_a_line_in_another_encoding_is_refused_at_its_line(
    store: GraphStore, tmp_path: Path
) -> None:
    await define_types(store)
    mapping = write_export(tmp_path)
    (tmp_path / "clients.csv").write_bytes(
        CLIENTS.encode("utf-8") + "GBKCO,广州贸易,,,,,\n".encode("gbk")
    )
    before = await snapshot(store)

    report = await run_import(store, mapping, tmp_path)

    [reject] = _rejects(tmp_path)
    assert (reject["file"], reject["line"]) == ("clients.csv", "5")
    assert "is not utf-8 text (mixed encodings?" in reject["reason"]
    assert (report.written, await snapshot(store)) == (False, before)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030", "utf-16"], ids=str)
async def test_exports_in_chinese_encodings_and_utf16_read_alike(
    store: GraphStore, tmp_path: Path, encoding: str
) -> None:
    await define_types(store)
    mapping = write_export(tmp_path, encodings={"clients": encoding, "suppliers": encoding})

    report = await run_import(store, mapping, tmp_path)

    assert (report.written, report.rejected) == (True, 0)
    [acme] = await store.get_entities(["Client:SHACM"])
    assert acme is not None
    assert acme.properties["name"] == "上海艾克米贸易"
    [supplier] = await store.get_entities(["Supplier:S2"])
    assert supplier is not None
    assert supplier.properties["name"] == "上海供应"


async def test_skip_bad_writes_the_good_rows_and_lists_the_rest(
    store: GraphStore, tmp_path: Path
) -> None:
    await define_types(store)
    broken = CLIENTS.replace(",N,B\n", ",N,Z\n") + "ZZZZ,,,,,,\n"
    mapping = write_export(tmp_path, {"clients": broken})

    report = await run_import(store, mapping, tmp_path, skip_bad=True)

    assert (report.written, report.rejected) == (True, 3)
    rejects = _rejects(tmp_path)
    assert [(r["file"], r["line"], r["column"]) for r in rejects] == [
        ("clients.csv", "3", "Tier"),
        ("clients.csv", "5", "CompanyName"),  # no name: the type's own check (required)
        ("purchases.csv", "3", "CustomerID"),  # its client ANATR was rejected
    ]
    assert "name" in rejects[1]["reason"]
    found = await store.get_entities(["Client:ALFKI", "Client:ANATR", "Purchase:10249"])
    assert [entity is not None for entity in found] == [True, False, False]


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (MAPPING.replace("type: Client", "type: \"Client`) DETACH DELETE n //\""),
         "entities/0/type", "name"),
        (MAPPING.replace("CompanyName: name\n      Email", "CompanyName: nom\n      Email"),
         "entities/0/columns/CompanyName", "Client has no property 'nom'"),
        (MAPPING.replace("relation: PLACED, from:", "relation: PLACED, to:"),
         "entities/1/links/0/relation", "cannot be its from end"),
        (MAPPING.replace("file: clients.csv", "file: clients.csv\n    encoding: ebcdic"),
         "entities/0/encoding", "encoding is one of"),
        ("a: &x [1]\nb: *x\n", "", "anchors and aliases"),
    ],
)  # fmt: skip
async def test_a_wrong_mapping_is_refused_at_its_path_before_a_file_is_read(
    store: GraphStore, tmp_path: Path, text: str, path: str, message: str
) -> None:
    await define_types(store)
    before = await snapshot(store)
    with pytest.raises(InvalidInput) as refused:
        await run_import(store, parse_mapping(text, base=tmp_path), tmp_path)
    issues = {"/".join(map(str, issue.path)): issue.message for issue in refused.value.issues}
    assert path in issues, issues
    assert message in issues[path] or message in refused.value.message
    assert await snapshot(store) == before


async def test_a_batch_refused_while_writing_says_so_and_a_rerun_completes_it(
    store: GraphStore, tmp_path: Path, refusal: Refusal, monkeypatch: pytest.MonkeyPatch
) -> None:
    await define_types(store)
    mapping = write_export(tmp_path)
    (tmp_path / "rejects.csv").write_text("file,line\nold.csv,9\n")  # an earlier run's
    await refusal.refuse_audit()  # the store refuses the first batch's audit record

    with pytest.raises(WriteRefused) as refused:
        await run_import(store, mapping, tmp_path)

    assert refused.value.written_rows == 0
    assert not (tmp_path / "rejects.csv").exists()  # the check found nothing; made afresh
    assert await store.get_entities(["Client:ALFKI"]) == [None]
    await refusal.lift()
    monkeypatch.undo()  # on Neo4j the refusal also fixed the next audit ids
    again = await run_import(store, mapping, tmp_path)
    assert (again.written, again.rejected) == (True, 0)
    assert [f.created for f in again.files] == [3, 3, 2, 2]
