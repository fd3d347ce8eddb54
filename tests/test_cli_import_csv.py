"""`graph-crm schema` and `graph-crm import-csv` as a user runs them: exit statuses, the
rejects file, the progress bar, --skip-bad, and a mapping refused at its path."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from tests.cli_process import run

ORDERS = Path(__file__).resolve().parents[1] / "seeds" / "orders"


def _export(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "orders"
    shutil.copytree(ORDERS, folder)
    db = str(tmp_path / "orders.db")
    applied = run("schema", "apply", str(folder / "schema.yaml"), "--db", db)
    assert applied.returncode == 0, applied.stderr
    return folder, db


def test_a_rejected_line_writes_nothing_and_lands_in_the_rejects_file(tmp_path: Path) -> None:
    folder, db = _export(tmp_path)
    orders = folder / "orders.csv"
    orders.write_text(orders.read_text() + "10253;NOBODY;1996-07-10 00:00:00.000;1,00\n")

    refused = run("import-csv", str(folder / "mapping.yaml"), "--db", db)

    assert refused.returncode == 1
    assert "orders.csv line 7, column CustomerID: no Client 'NOBODY'" in refused.stderr
    assert "nothing written: fix the rejected lines, or --skip-bad" in refused.stdout
    # the progress bar of the check, on stderr: bytes read, the rate
    assert "check: 100%" in refused.stderr
    with (folder / "mapping.rejects.csv").open(encoding="utf-8", newline="") as handle:
        [reject] = list(csv.DictReader(handle))
    assert (reject["file"], reject["line"], reject["column"], reject["value"]) == (
        "orders.csv",
        "7",
        "CustomerID",
        "NOBODY",
    )
    assert "Client (0)" in run("types", "--db", db).stdout

    skipped = run("import-csv", str(folder / "mapping.yaml"), "--db", db, "--skip-bad", "--quiet")
    assert skipped.returncode == 0, skipped.stderr
    assert "imported 16 row(s)" in skipped.stdout
    assert "check:" not in skipped.stderr  # --quiet
    assert "Purchase (5)" in run("types", "--db", db).stdout


def test_a_wrong_mapping_is_refused_at_its_path_with_status_2(tmp_path: Path) -> None:
    folder, db = _export(tmp_path)
    mapping = folder / "mapping.yaml"
    mapping.write_text(mapping.read_text().replace("type: Client", "type: Client`) //"))

    refused = run("import-csv", str(mapping), "--db", db)

    assert refused.returncode == 2
    assert "entities/0/type:" in refused.stderr


def test_a_schema_document_that_cannot_be_read_is_status_2_and_a_refused_one_1(
    tmp_path: Path,
) -> None:
    folder, db = _export(tmp_path)
    broken = tmp_path / "broken.yaml"
    broken.write_text("entityTypes: [\n")
    unreadable = run("schema", "diff", str(broken), "--db", db)
    assert unreadable.returncode == 2
    assert "line 2, column 1" in unreadable.stderr

    refused = tmp_path / "refused.yaml"
    refused.write_text((folder / "schema.yaml").read_text().replace("kind: BOOLEAN", "kind: BOOL"))
    answer = run("schema", "apply", str(refused), "--db", db)
    assert answer.returncode == 1
    assert "entityTypes/0/properties/4/kind" in answer.stderr
    assert "nothing was changed" in answer.stderr
