"""CSV import end to end for ``bench.ingest``: ``bench/csv_files.py``'s export through
``import_csv`` (parse + validate + write), in a process of its own so that its peak RSS
(``VmHWM``) is the import's. Not ``ru_maxrss``: Linux keeps it across exec, so the child
would report the RSS of the benchmark process that forked it, if larger."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.csv_files import write_accounts

IMPORT = """
import asyncio, json, os, sys, time
from pathlib import Path
from bench.csv_files import TYPES
from bench.procstat import peak_rss_mib
from graph_crm.services.csv_import import Options, import_csv, read_mapping
from graph_crm.services.schema_document import apply_document
from graph_crm.settings import Settings

async def open_store(backend, where):
    if backend == "embedded":
        from graph_crm.store.embedded.store import EmbeddedStore
        return await EmbeddedStore.open(where)
    from graph_crm.store.neo4j.store import Neo4jStore
    s = Settings.from_env()
    return await Neo4jStore.open(where, user=s.neo4j_user,
                                 password=s.neo4j_password.get_secret_value())

async def main(backend, mapping, where):
    store = await open_store(backend, where)
    try:
        await apply_document(store, TYPES, actor="bench")
        started = time.perf_counter()
        report = await import_csv(store, read_mapping(mapping), Options())
        seconds = time.perf_counter() - started
    finally:
        await store.close()
    return {"rows": report.rows, "created": report.files[0].created, "seconds": seconds,
            "peak_mib": peak_rss_mib(os.getpid())}

print(json.dumps(asyncio.run(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3]))))
"""


def csv_import(backend: str, rows: int, uri: str | None) -> dict[str, Any]:
    """Rows/s and peak RSS of importing ``rows`` accounts into ``backend``."""
    with tempfile.TemporaryDirectory(prefix="bench-csv-") as tmp:
        mapping = write_accounts(Path(tmp), rows)
        where = uri or str(Path(tmp) / "import.db")
        done = subprocess.run(
            [sys.executable, "-c", IMPORT, backend, str(mapping), where],
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).resolve().parents[1],
        )
    if done.returncode != 0:
        raise SystemExit(f"the {backend} CSV import failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    if result["created"] != rows:
        print(f"note: {backend} CSV import created {result['created']} of {rows} (not empty?)",
              file=sys.stderr)  # fmt: skip
    return {
        "rows": rows,
        "rate": round(rows / result["seconds"]),
        "peak_mib": round(result["peak_mib"], 1),
    }
