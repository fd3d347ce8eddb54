"""``graph-crm impact`` (a ranked report) and ``graph-crm policy`` (define, list, drop)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from graph_crm.errors import InvalidInput
from graph_crm.impact.policy_registry import policy_revision
from graph_crm.impact.render import FORMATS, render
from graph_crm.impact.report_inputs import MAX_LIMIT
from graph_crm.services.impact_report import impact_report
from graph_crm.store.base import GraphStore

Command = Callable[[GraphStore, argparse.Namespace], Awaitable[int]]
Add = Callable[[str, Command, str], argparse.ArgumentParser]
#: Rows a terminal table lists unless --limit says otherwise; documents list them all.
TABLE_ROWS = 25


def add_impact_commands(add: Add) -> None:
    impact = add("impact", _impact, "rank who a delay at a source affects, and why (reads only)")
    impact.add_argument("--source", required=True, help="global id, e.g. Warehouse:RTM-02")
    impact.add_argument(
        "--delay",
        help="expected delay in days, e.g. 6 or 2.5 (default: 0, who the source reaches)",
    )
    impact.add_argument(
        "--as-of",
        help="ISO date or date-time with zone (default: now; the report prints it first)",
    )
    impact.add_argument("--policy", help="impact policy name (default: the only one stored)")
    impact.add_argument("--format", choices=FORMATS, default="table")
    impact.add_argument("--limit", type=int, help=f"targets listed (table: {TABLE_ROWS}; all)")
    impact.add_argument("-o", "--output", help="write to this file instead of stdout")

    policy = add("policy", _policy, "define, alter, drop, list or show impact policies")
    policy.add_argument("action", choices=["define", "alter", "drop", "list", "show"])
    policy.add_argument("target", nargs="?", help="a policy JSON file (define, alter) or a name")
    policy.add_argument("--actor", default="cli", help="who the registry records as the author")


async def _impact(store: GraphStore, args: argparse.Namespace) -> int:
    output = Path(args.output) if args.output else None
    if output is not None and not output.parent.is_dir():
        # checked first: a report that cannot be written is not worth computing
        raise InvalidInput(
            f"cannot write {output}: the folder {output.parent} does not exist",
            path=("output",),
        )
    # --limit 0 is not "the default": it goes to the check, which asks for 1 to 10,000
    default = TABLE_ROWS if args.format == "table" else MAX_LIMIT
    limit = default if args.limit is None else args.limit
    report = await impact_report(
        store,
        policy=args.policy,
        source=args.source,
        delay_days=args.delay,
        as_of=args.as_of,
        limit=limit,
    )
    text = render(report, args.format)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise InvalidInput(
                f"cannot write {output}: {error.strerror}", path=("output",)
            ) from None
        print(
            f"wrote the {args.format} report ({report.totals.affected} affected) to {output}",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


async def _policy(store: GraphStore, args: argparse.Namespace) -> int:
    action = args.action
    if action == "list":
        for name, definition in sorted((await store.registry()).policies.items()):
            route = f"{definition['source']} -> {definition['target']}"
            described = f"{route}  {definition.get('description', '')}".rstrip()
            print(f"{name} (rev {policy_revision(definition)}): {described}")
        return 0
    if not args.target:
        raise InvalidInput(
            f"policy {action} needs a {'file' if action in ('define', 'alter') else 'name'}",
            path=("target",),
        )
    if action == "show":
        definition = (await store.registry()).policy(args.target)
        print(json.dumps(definition, ensure_ascii=False, indent=2))
        return 0
    if action == "drop":
        registry = await store.drop_impact_policy(args.target, actor=args.actor)
        print(f"dropped impact policy {args.target!r} (registry version {registry.version})")
        return 0
    raw = _read_policy(Path(args.target))
    change = store.define_impact_policy if action == "define" else store.alter_impact_policy
    registry = await change(raw, actor=args.actor)
    revision = policy_revision(registry.policy(raw["name"]))
    print(
        f"{action.removesuffix('e')}ed impact policy {raw['name']!r}: rev {revision} "
        f"(registry version {registry.version})"
    )
    return 0


def _read_policy(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"cannot read policy file {path}: {error}", path=("file",)) from None
    if not isinstance(raw, dict):
        raise InvalidInput("an impact policy file holds one JSON object", path=("file",))
    return raw
