"""``graph-crm schema export|diff|apply FILE``: the registry as one YAML (or JSON) document.

``export`` writes the types and policies stored (``-``: to standard output), ``diff`` prints
what applying a document would add, change, drop or refuse and why, ``apply`` applies it
in one registry change or changes nothing. Exit status: 0 done (or nothing to do), 1 the
document is refused (every refusal printed at its path), 2 the file cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from graph_crm.errors import InvalidInput
from graph_crm.services.schema_document import (
    DocumentPlan,
    apply_document,
    dump_document,
    export_document,
    parse_document,
)
from graph_crm.store.base import GraphStore

Command = Callable[[GraphStore, argparse.Namespace], Awaitable[int]]
Add = Callable[[str, Command, str], argparse.ArgumentParser]


def add_schema_commands(add: Add) -> None:
    schema = add(
        "schema",
        _schema,
        "schema as code: export the types and policies as YAML, diff a document, apply it",
    )
    schema.add_argument("action", choices=["export", "diff", "apply"])
    schema.add_argument("file", help="the document (.yaml, .yml or .json); '-' for stdout/stdin")
    schema.add_argument(
        "--prune",
        action="store_true",
        help="diff/apply: also drop the types and policies the document leaves out",
    )
    schema.add_argument("--actor", default="cli", help="who the audit log records as the author")


async def _schema(store: GraphStore, args: argparse.Namespace) -> int:
    if args.action == "export":
        return await _export(store, args.file)
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8-sig")
        document = parse_document(text)
    except (OSError, UnicodeDecodeError) as error:
        print(f"graph-crm schema: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    except InvalidInput as error:
        print(f"graph-crm schema: {args.file}: {error.message}", file=sys.stderr)
        return 2
    dry_run = args.action == "diff"
    plan = await apply_document(
        store, document, actor=args.actor, prune=args.prune, dry_run=dry_run
    )
    _print_plan(plan, args.file, dry_run=dry_run)
    return 1 if plan.refusals else 0


async def _export(store: GraphStore, file: str) -> int:
    registry = await store.registry()
    text = dump_document(export_document(registry), as_json=file.endswith(".json"))
    if file == "-":
        sys.stdout.write(text)
        return 0
    try:
        Path(file).write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"graph-crm schema: cannot write {file}: {error}", file=sys.stderr)
        return 2
    counts = (len(registry.entity_types), len(registry.relation_types), len(registry.policies))
    print(
        "wrote {} entity types, {} relation types and {} impact policies to {}".format(
            *counts, file
        )
    )
    return 0


def _print_plan(plan: DocumentPlan, file: str, *, dry_run: bool) -> None:
    for change in plan.changes:
        print(change)
    for kept in plan.kept:
        print(f"  keep {kept} (not in the document; --prune drops it)")
    if plan.refusals:
        print(f"{file} is refused; nothing was changed:", file=sys.stderr)
        for issue in plan.refusals:
            where = "/".join(map(str, issue.path)) or "(the document)"
            print(f"  {where}: {issue.message} ({issue.code})", file=sys.stderr)
        return
    if plan.unchanged:
        print(f"{file}: the registry already holds it; nothing to do")
    elif dry_run:
        print(f"applying {file} would make registry version {plan.version} (nothing written)")
    else:
        print(f"applied {file}: registry version {plan.version}")
