"""`graph-crm import-csv --neo4j-admin-files DIR` as an operator runs it: the same check
as an online import, files only when it passes, a store or directory that is not empty
refused. (Loading the files with the real neo4j-admin: tests/faults/test_neo4j_admin_import.py.)
"""

from __future__ import annotations

import csv
from pathlib import Path

from tests.cli_process import run
from tests.test_cli_import_csv import _export


def _files(folder: Path, db: str, out: Path, *more: str) -> tuple[int, str, str]:
    done = run(
        "import-csv", str(folder / "mapping.yaml"), "--db", db, "--quiet",
        "--neo4j-admin-files", str(out), *more,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_the_files_hold_every_row_and_the_command_line_loads_them(tmp_path: Path) -> None:
    folder, db = _export(tmp_path)
    out = tmp_path / "files"

    status, stdout, stderr = _files(folder, db, out)

    assert status == 0, stderr
    assert f"wrote 16 row(s) as neo4j-admin files in {out}" in stdout
    options = "--overwrite-destination=true --bad-tolerance=0 --array-delimiter=U+001F"
    assert f"neo4j-admin database import full neo4j {options} --nodes=" in stdout
    assert f"--nodes=Entity:Client={out}/nodes-Client.header.csv,{out}/nodes-Client.csv" in stdout
    assert "--multiline-fields" not in stdout  # no value holds a line break
    assert "graph-crm --backend neo4j types" in stdout
    head = (out / "nodes-Client.header.csv").read_text(encoding="utf-8").strip()
    assert head == (
        "id:ID,key:string,_rev:string,createdAt:datetime,updatedAt:datetime,name:string,"
        "email:string,country:string,since:date,vip:boolean,tier:string"
    )
    clients = {row[1]: row for row in _rows(out / "nodes-Client.csv")}
    assert clients["ALFKI"][0] == "Client:ALFKI"
    assert clients["ALFKI"][8:] == ["1996-07-04", "true", "STRATEGIC"]
    assert clients["ANATR"][6] == ""  # a NULL email: no property
    assert len(_rows(out / "relationships-PLACED.csv")) == 5
    [registry] = _rows(out / "registry.csv")
    assert registry == ["main", "1"]
    audit = [row[3] for row in _rows(out / "audit.csv")]
    assert audit.count("define") == 5
    assert audit.count("upsert") == 3
    assert audit.count("link") == 2
    assert not (out / ".relations.db").exists()
    # the source store is only read
    assert "Client (0)" in run("types", "--db", db).stdout


def test_a_relation_linked_twice_is_one_relationship_with_the_last_properties(
    tmp_path: Path,
) -> None:
    folder, db = _export(tmp_path)
    supplies = folder / "supplies.csv"
    supplies.write_text(supplies.read_text() + "S1,10248,9\n")

    # a batch refuses the same link twice; across batches it is linked again (updated)
    status, _, stderr = _files(folder, db, tmp_path / "files", "--batch", "2")

    assert status == 0, stderr
    rows = _rows(tmp_path / "files" / "relationships-SUPPLIES.csv")
    assert [(row[0], row[1], row[-1]) for row in rows if row[0] == "Supplier:S1"] == [
        ("Supplier:S1", "Purchase:10248", "9")
    ]
    assert len(rows) == 4
    # as the online import reports it: two batches created, then the relation updated
    audit = _rows(tmp_path / "files" / "audit.csv")
    links = [row for row in audit if row[3] == "link" and row[5] == "SUPPLIES"]
    assert [row[9] for row in links] == [
        '{"created":2,"updated":0,"unchanged":0}',
        '{"created":2,"updated":0,"unchanged":0}',
        '{"created":0,"updated":1,"unchanged":0}',
    ]
    assert links[-1][6] == "SUPPLIES:Supplier:S1->Purchase:10248"


def test_a_rejected_line_writes_no_file(tmp_path: Path) -> None:
    folder, db = _export(tmp_path)
    orders = folder / "orders.csv"
    orders.write_text(orders.read_text() + "10253;NOBODY;1996-07-10 00:00:00.000;1,00\n")
    out = tmp_path / "files"

    status, stdout, stderr = _files(folder, db, out)

    assert status == 1
    assert "orders.csv line 7, column CustomerID: no Client 'NOBODY'" in stderr
    assert "nothing written" in stdout
    assert "neo4j-admin" not in stdout
    assert list(out.iterdir()) == []

    dry = _files(folder, db, tmp_path / "dry", "--dry-run", "--skip-bad")
    assert dry[0] == 0, dry[2]
    assert list((tmp_path / "dry").iterdir()) == []

    skipped = _files(folder, db, tmp_path / "skipped", "--skip-bad")
    assert skipped[0] == 0, skipped[2]
    assert len(_rows(tmp_path / "skipped" / "nodes-Purchase.csv")) == 5


def test_a_store_with_data_or_keys_and_a_directory_with_files_are_refused(
    tmp_path: Path,
) -> None:
    folder, db = _export(tmp_path)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("keep me")

    status, _, stderr = _files(folder, db, busy)
    assert status == 2
    assert "must be an empty directory" in stderr
    assert (busy / "mine.txt").read_text() == "keep me"

    comma = _files(folder, db, tmp_path / "a,b")
    assert comma[0] == 2
    assert "no ',' in DIR" in comma[2]

    key = run("keys", "create", "--role", "analyst", "--name", "early", "--db", db)
    assert key.returncode == 0, key.stderr
    status, _, stderr = _files(folder, db, tmp_path / "keys")
    assert status == 2
    assert "holds API keys" in stderr

    folder2, db2 = _export(tmp_path / "second")
    loaded = run("import-csv", str(folder2 / "mapping.yaml"), "--db", db2, "--quiet")
    assert loaded.returncode == 0, loaded.stderr
    status, _, stderr = _files(folder2, db2, tmp_path / "full")
    assert status == 2
    assert "loads an empty database only" in stderr
