"""``graph-crm import-csv MAPPING.yaml``: CSV files as other systems export them.

Everything is checked first; one rejected line and nothing is written (``--skip-bad``:
the good rows are). ``--dry-run`` checks and writes nothing. The rejects (file, line,
column, value, reason) go to ``--rejects`` (default: beside the mapping,
``<mapping>.rejects.csv``). A progress bar on stderr shows rows/s and the time left.
Exit status: 0 imported (or checked, for a dry run, with no reject), 1 rejected lines
(nothing written unless --skip-bad), 2 the mapping or an option is wrong, 3 a batch
refused while writing (another client changed the store since the check): the batches
before it are written, and running the import again completes it.

``--neo4j-admin-files DIR``: the same check, then, instead of writing to the store, the
files of Neo4j's bulk importer in DIR, and the command line that loads them into a stopped,
empty Neo4j (docs/import.md, "Initial loads with neo4j-admin").
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from graph_crm.errors import GraphCrmError
from graph_crm.services.csv_import import (
    BATCH,
    ImportMapping,
    ImportReport,
    Options,
    import_csv,
    read_mapping,
)
from graph_crm.services.csv_import.admin_files import shell_line
from graph_crm.services.csv_import.admin_import import write_admin_files
from graph_crm.services.csv_import.report import WriteRefused
from graph_crm.store.base import GraphStore

Command = Callable[[GraphStore, argparse.Namespace], Awaitable[int]]
Add = Callable[[str, Command, str], argparse.ArgumentParser]


def add_csv_import_commands(add: Add) -> None:
    command = add(
        "import-csv",
        _import_csv,
        "import CSV files (entities and relations) by a YAML mapping, checked whole first",
    )
    command.add_argument("mapping", help="the mapping (YAML or JSON); files are relative to it")
    command.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    command.add_argument(
        "--skip-bad", action="store_true", help="write the good rows; the rest go to the rejects"
    )
    command.add_argument("--rejects", help="the rejects file (default: beside the mapping)")
    command.add_argument("--encoding", help="every file's encoding (default: detected)")
    command.add_argument("--delimiter", help="every file's delimiter (default: detected)")
    command.add_argument("--batch", type=int, default=BATCH, help="rows per write transaction")
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    command.add_argument("--actor", default="cli", help="who the audit log records as the author")
    command.add_argument(
        "--neo4j-admin-files",
        metavar="DIR",
        help="write the files of `neo4j-admin database import full` into DIR (empty or new) "
        "instead of writing to the store, which must hold no data",
    )


class _Bar:
    """The progress of each pass, drawn by tqdm on stderr."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None

    def start(self, phase: str, total: int, unit: str) -> None:
        self.finish()
        scale = unit == "B"
        self.bar = tqdm(
            total=total,
            unit=unit,
            unit_scale=scale,
            unit_divisor=1024 if scale else 1000,
            desc=phase,
            file=sys.stderr,
            disable=self.quiet,
        )

    def advance(self, amount: int) -> None:
        if self.bar is not None:
            self.bar.update(amount)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


async def _import_csv(store: GraphStore, args: argparse.Namespace) -> int:
    mapping_path = Path(args.mapping)
    if args.batch < 1 or args.batch > 50_000:
        print("graph-crm import-csv: --batch is 1 to 50000 rows", file=sys.stderr)
        return 2
    rejects = Path(args.rejects) if args.rejects else mapping_path.with_suffix(".rejects.csv")
    try:
        mapping = read_mapping(mapping_path)
        options = Options(
            dry_run=args.dry_run,
            skip_bad=args.skip_bad,
            batch=args.batch,
            encoding=args.encoding,
            delimiter=args.delimiter,
            rejects=rejects,
            actor=args.actor,
        )
        if args.neo4j_admin_files:
            return await _admin_files(store, args, mapping, options)
        report = await import_csv(store, mapping, options, _Bar(args.quiet))
    except WriteRefused as refused:
        print(
            f"graph-crm import-csv: a batch was refused while writing, after the check: "
            f"{refused.error}. {refused.written_rows} row(s) before it are written; run the "
            "import again to complete it.",
            file=sys.stderr,
        )
        return 3
    except GraphCrmError as error:
        print(f"graph-crm import-csv: {args.mapping}: {error.message}", file=sys.stderr)
        for issue in error.issues:
            where = "/".join(map(str, issue.path)) or "(the mapping)"
            print(f"  {where}: {issue.message}", file=sys.stderr)
        return 2
    _print(report)
    if report.rejected and not args.skip_bad:
        return 1
    return 0


async def _admin_files(
    store: GraphStore, args: argparse.Namespace, mapping: ImportMapping, options: Options
) -> int:
    directory = Path(args.neo4j_admin_files)
    database = args.settings.neo4j_database
    bulk = await write_admin_files(
        store, mapping, options, directory, database=database, progress=_Bar(args.quiet)
    )
    _print(bulk.report, files=directory if bulk.command else None)
    if bulk.command:
        print_admin_steps(bulk.command)
    if bulk.report.rejected and not args.skip_bad:
        return 1
    return 0


def print_admin_steps(command: list[str]) -> None:
    """What the operator does with the files (docs/import.md)."""
    print(
        "\nNext (docs/import.md): stop Neo4j, then run\n  "
        f"{shell_line(command)}\n"
        "start Neo4j, and once open it with graph-crm (creating the constraints):\n"
        "  graph-crm --backend neo4j types"
    )


def _print(report: ImportReport, files: Path | None = None) -> None:
    head = ("file", "type", "rows", "rejected", "created", "updated", "unchanged", "links")
    rows = [
        (f.file, f.target, f.rows, f.rejected, f.created, f.updated, f.unchanged, f.linked)
        for f in report.files
    ]
    widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    for reject in report.examples:
        print(f"  rejected: {reject}", file=sys.stderr)
    if report.rejected > len(report.examples):
        print(f"  … and {report.rejected - len(report.examples)} more", file=sys.stderr)
    if report.rejected and report.rejects_path is not None:
        print(f"{report.rejected} rejected line(s): {report.rejects_path}", file=sys.stderr)
    if report.dry_run:
        verdict = "nothing written (a dry run)"
    elif report.written and files is not None:
        verdict = f"wrote {report.rows - report.rejected} row(s) as neo4j-admin files in {files}"
    elif report.written:
        verdict = f"imported {report.rows - report.rejected} row(s)"
    else:
        verdict = "nothing written: fix the rejected lines, or --skip-bad"
    print(verdict)
