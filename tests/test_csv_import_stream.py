"""A 1M-row, ~300 MB export imports with flat memory: the import streams its files (and
keeps what it must remember in a temporary SQLite file), it does not load them.

Each import runs in a process of its own, so its peak RSS is its own. The peak for 1M rows
stays within a small margin of the peak for 100k rows. Marked ``big`` (a minute of one
core): ``scripts/test --all`` runs it beside the browser tests. Only behaviour and memory
are asserted here, never time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.csv_files import write_accounts

pytestmark = pytest.mark.big

#: How much more the 1M-row import may peak than the 100k one (SQLite's page cache,
#: allocator slack): a fraction of what holding the file (300 MB) would take.
MARGIN_MB = 40

IMPORT = """
import asyncio, json, sys
from pathlib import Path
from bench.csv_files import TYPES
from graph_crm.services.csv_import import Options, import_csv, read_mapping
from graph_crm.services.schema_document import apply_document
from graph_crm.store.embedded.store import EmbeddedStore

async def main(mapping: Path, db: Path) -> dict:
    store = await EmbeddedStore.open(db)
    try:
        await apply_document(store, TYPES, actor="tests")
        report = await import_csv(store, read_mapping(mapping), Options())
        counts = await store.counts()
    finally:
        await store.close()
    return {"rows": report.rows, "rejected": report.rejected,
            "created": report.files[0].created, "stored": counts.entities["Account"],
            "peak_mb": peak_mb()}

def peak_mb() -> float:
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would report
    # the larger RSS of the pytest process that forked it
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")

print(json.dumps(asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))))
"""


def _import(folder: Path, rows: int) -> dict[str, float]:
    mapping = write_accounts(folder, rows)
    # not traced by coverage (CI's run measures the processes tests start): the tracer
    # would make these imports ~1.6x slower and add its own memory to the peaks compared;
    # the code they run is measured by tests/test_csv_import*.py
    env = {name: value for name, value in os.environ.items() if not name.startswith("COVERAGE_")}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT, str(mapping), str(folder / "import.db")],
        capture_output=True,
        text=True,
        timeout=1_800,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_a_million_rows_of_300_mb_import_with_flat_memory(tmp_path: Path) -> None:
    small = _import(tmp_path / "small", 100_000)
    big = _import(tmp_path / "big", 1_000_000)

    size = (tmp_path / "big" / "accounts.csv").stat().st_size
    assert size > 280_000_000
    assert (big["rows"], big["rejected"], big["created"], big["stored"]) == (
        1_000_000,
        0,
        1_000_000,
        1_000_000,
    )
    assert small["stored"] == 100_000
    assert big["peak_mb"] < small["peak_mb"] + MARGIN_MB, (small, big)
