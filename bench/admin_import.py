"""An initial load into an empty Neo4j, online and with ``neo4j-admin``, in one run.

``python -m bench.admin_import [--rows 1000000]``: ``bench/csv_files.py``'s export of
``--rows`` accounts is imported twice into a throwaway Neo4j (``tools/neo4j_local.py``):

1. **online**: ``import-csv`` into the running server (check + write, batches of 5,000);
2. **bulk**: ``import-csv --neo4j-admin-files`` from an embedded store holding the same
   types (the same check, then the files), the server stopped, the printed
   ``neo4j-admin database import full`` run with the jars, the server started and
   opened once by graph-crm (which creates the constraints), and the entities counted.

Each step runs in a process of its own (graph-crm's peak RSS is measured). Prints a
table of seconds and rows/s and writes the JSON to ``--out`` (default
``bench/results/admin_import.json``).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.csv_files import TYPES, write_accounts
from tools.neo4j_local import LocalNeo4j, admin

ROOT = Path(__file__).resolve().parents[1]
FOLLOW_UP = "Next (docs/import.md): stop Neo4j, then run"


#: Peak RSS (MiB) of each graph-crm step, by its command.
PEAKS: dict[str, float] = {}


#: graph-crm's command line, its peak RSS (VmHWM) printed to stderr as it exits. Not the
#: child's ``ru_maxrss``: Linux keeps it across exec, so it could be this process's.
PEAK_AT_EXIT = """
import atexit, os, runpy, sys
from bench.procstat import peak_rss_mib
atexit.register(lambda: print(f"peak_mib={peak_rss_mib(os.getpid())}", file=sys.stderr))
sys.argv[0] = "graph-crm"
runpy.run_module("graph_crm.cli", run_name="__main__", alter_sys=True)
"""


def _cli(*args: str) -> tuple[float, str]:
    """Run graph-crm; its seconds and output (its peak RSS into :data:`PEAKS`)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", PEAK_AT_EXIT, *args], stdout=out, stderr=err, cwd=ROOT
        )
        process.wait()
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        errors = err.read()
        if process.returncode != 0:
            raise SystemExit(f"graph-crm {' '.join(args)} failed:\n{errors[-3000:]}")
        PEAKS[args[0]] = float(re.findall(r"^peak_mib=([0-9.]+)$", errors, re.M)[-1])
        return seconds, out.read()


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(rows: int, heap: str, pagecache: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-admin-") as tmp:
        folder = Path(tmp)
        mapping = write_accounts(folder, rows)
        schema = folder / "schema.json"
        schema.write_text(json.dumps(TYPES), encoding="utf-8")
        server = LocalNeo4j(heap=heap, pagecache=pagecache)
        server.start()
        try:
            neo4j = ("--backend", "neo4j", "--neo4j-uri", server.uri)
            _cli("schema", "apply", str(schema), *neo4j)
            _log(f"online import-csv of {rows} rows")
            online, _ = _cli("import-csv", str(mapping), *neo4j, "--quiet")
            online_mib = PEAKS["import-csv"]
            db = str(folder / "source.db")
            _cli("schema", "apply", str(schema), "--db", db)
            _log("import-csv --neo4j-admin-files")
            files_s, printed = _cli(
                "import-csv", str(mapping), "--db", db, "--quiet",
                "--neo4j-admin-files", str(folder / "files"),
            )  # fmt: skip
            lines = printed.splitlines()
            command = shlex.split(lines[lines.index(FOLLOW_UP) + 1])
            server.shutdown()
            assert server.home is not None
            _log("neo4j-admin database import full")
            started = time.perf_counter()
            done = admin(server.home, command[1:])
            admin_s = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(f"neo4j-admin failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
            started = time.perf_counter()
            server.restart()
            _, types = _cli("types", *neo4j)
            open_s = time.perf_counter() - started
            if f"Account ({rows})" not in types:
                raise SystemExit(f"the bulk-loaded store does not hold {rows} accounts:\n{types}")
        finally:
            server.stop()
    bulk = files_s + admin_s + open_s
    return {
        "rows": rows,
        "online_s": round(online, 1),
        "files_s": round(files_s, 1),
        "admin_s": round(admin_s, 1),
        "start_open_s": round(open_s, 1),
        "bulk_s": round(bulk, 1),
        "online_rate": round(rows / online),
        "bulk_rate": round(rows / bulk),
        "speedup": round(online / bulk, 2),
        "online_peak_mib": online_mib,
        "files_peak_mib": PEAKS["import-csv"],
    }


def _table(result: dict[str, Any]) -> str:
    rows = result["rows"]
    return "\n".join(
        [
            f"| {rows:,} accounts | seconds | rows/s |",
            "|---|---:|---:|",
            f"| online `import-csv` (check + write) | {result['online_s']} | "
            f"{result['online_rate']:,} |",
            f"| `--neo4j-admin-files` (check + files) | {result['files_s']} | "
            f"{round(rows / result['files_s']):,} |",
            f"| peak RSS of graph-crm, MiB: online / files | {result['online_peak_mib']} / "
            f"{result['files_peak_mib']} | |",
            f"| `neo4j-admin database import full` | {result['admin_s']} | "
            f"{round(rows / result['admin_s']):,} |",
            f"| start + first open (constraints) | {result['start_open_s']} | |",
            f"| bulk, all steps | {result['bulk_s']} | {result['bulk_rate']:,} |",
            f"| speed-up | {result['speedup']}× | |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--neo4j-heap", default="1g")
    parser.add_argument("--neo4j-pagecache", default="512m")
    parser.add_argument("--out", type=Path, default=Path("bench/results/admin_import.json"))
    args = parser.parse_args(argv)
    result = run(args.rows, args.neo4j_heap, args.neo4j_pagecache)
    print(_table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
