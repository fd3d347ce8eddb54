"""``graph-crm``: the command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from pydantic import ValidationError
from tqdm import tqdm

from graph_crm import __version__
from graph_crm.auth.roles import Role
from graph_crm.cli.csv_import import add_csv_import_commands, print_admin_steps
from graph_crm.cli.impact import add_impact_commands
from graph_crm.cli.incidents import add_incident_commands
from graph_crm.cli.integrations import add_integration_commands
from graph_crm.cli.keys import add_key_commands
from graph_crm.cli.schema import add_schema_commands
from graph_crm.cli.webhooks import add_webhook_commands
from graph_crm.errors import GraphCrmError, StoreUnavailable
from graph_crm.services.api_keys import create_key
from graph_crm.settings import Settings
from graph_crm.store import GraphStore, open_store

Command = Callable[[GraphStore, argparse.Namespace], Awaitable[int]]
DEMO_KEY_NAME: Final = "demo-admin@loopback"


def _store_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("store (defaults from GRAPH_CRM_* environment variables)")
    group.add_argument("--backend", choices=["embedded", "neo4j"])
    group.add_argument("--db", dest="db_path", help="embedded SQLite file (data/graph-crm.db)")
    group.add_argument("--neo4j-uri")
    group.add_argument("--neo4j-user")
    group.add_argument("--neo4j-database")


async def _demo(store: GraphStore, args: argparse.Namespace) -> int:
    from graph_crm.services.demo import run_demo

    report = Path(args.report) if args.report else None
    await run_demo(store, report_path=report)
    where = args.settings.db_path if store.backend == "embedded" else args.settings.neo4j_uri
    if args.serve:
        await _demo_key(store, args.host, args.port)
        return 0
    print(
        f"\nThe graph is stored at {where}. Next: `graph-crm impact --source Warehouse:HAM-01 "
        "--delay 3 --as-of 2026-11-23T09:00:00Z`, `graph-crm serve` for the console "
        "(http://127.0.0.1:8000/) and GraphQL, or your own types and data with "
        "`graph-crm seed FILE.json`."
    )
    return 0


async def _demo_key(store: GraphStore, host: str, port: int) -> None:
    """On loopback, a fresh admin key for GraphiQL (the previous demo key is revoked)."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"\nServing on {host}: create a key with `graph-crm keys create --role analyst` "
            "and send it as 'Authorization: Bearer <key>'."
        )
        return
    for key in await store.api_keys():
        if key.active and key.name == DEMO_KEY_NAME:
            await store.revoke_api_key(key.id, at=datetime.now(UTC), actor="graph-crm demo")
    token = await create_key(store, DEMO_KEY_NAME, Role.ADMIN, actor="graph-crm demo")
    print(
        f"\nA local admin key for this demo (the previous demo key is revoked):\n  {token}\n"
        f"Sign in to the console (http://{host}:{port}/) with it; GraphiQL "
        f"(http://{host}:{port}/graphiql) then sends it too.\n"
        f"or: curl -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' "
        f'-d \'{{"query": "{{ entityTypes {{ name }} }}"}}\' http://{host}:{port}/graphql'
    )


async def _seed(store: GraphStore, args: argparse.Namespace) -> int:
    from graph_crm.services.seed import apply_seed, read_seed

    result = await apply_seed(store, read_seed(Path(args.file)), actor=args.actor)
    print(
        json.dumps(
            {
                "defined": result.defined,
                "altered": result.altered,
                "policies": result.policies,
                "written": result.written,
                "linked": result.linked,
            },
            ensure_ascii=False,
        )
    )
    return 0


def _computed_text(computed: object) -> str:
    """`` = <formula>`` after a computed property in ``types`` (a rollup as JSON).

    >>> _computed_text("unitPrice * quantity"), _computed_text(None)
    (' = unitPrice * quantity', '')
    """
    if computed is None:
        return ""
    return " = " + (computed if isinstance(computed, str) else json.dumps(computed))


async def _types(store: GraphStore, args: argparse.Namespace) -> int:
    registry = await store.registry()
    counts = await store.counts()
    print(f"registry version {registry.version}")
    for name, entity_type in sorted(registry.entity_types.items()):
        fields = ", ".join(
            f"{p.name}: {p.kind}{'!' if p.required else ''}{' unique' if p.unique else ''}"
            + _computed_text(p.computed)
            for p in entity_type.properties
        )
        print(f"  {name} ({counts.entities.get(name, 0)}) {{{fields}}}")
    for name, rt in sorted(registry.relation_types.items()):
        print(f"  ({rt.from_type})-[{name}]->({rt.to_type}) ({counts.relations.get(name, 0)})")
    return 0


async def _export(store: GraphStore, args: argparse.Namespace) -> int:
    from graph_crm.services.transfer import export_graph

    counts = await store.counts()
    total = sum(counts.entities.values()) + sum(counts.relations.values())
    with (
        Path(args.file).open("w", encoding="utf-8") as out,
        tqdm(total=total, unit=" rows", desc="export", file=sys.stderr, disable=args.quiet) as bar,
    ):
        written = await export_graph(store, out, bar.update)
    print(f"exported {written} entities and relations to {args.file}", file=sys.stderr)
    return 0


async def _import(store: GraphStore, args: argparse.Namespace) -> int:
    from graph_crm.services.csv_import.admin_dump import write_dump_files
    from graph_crm.services.transfer import check_import, import_graph

    plan = check_import(Path(args.file))
    with tqdm(
        total=plan.entities + plan.relations,
        unit=" rows",
        desc="import",
        file=sys.stderr,
        disable=args.quiet,
    ) as bar:
        if args.neo4j_admin_files:
            command = await write_dump_files(
                Path(args.file),
                Path(args.neo4j_admin_files),
                database=args.settings.neo4j_database,
                progress=bar.update,
                actor=args.actor,
            )
        else:
            await import_graph(store, Path(args.file), bar.update, actor=args.actor)
    done = "wrote as neo4j-admin files" if args.neo4j_admin_files else "imported"
    print(
        f"{done} {plan.entities} entities and {plan.relations} relations "
        f"(registry version {plan.registry.version})",
        file=sys.stderr,
    )
    if args.neo4j_admin_files:
        print_admin_steps(command)
    return 0


async def _traverse(store: GraphStore, args: argparse.Namespace) -> int:
    steps = []
    for text in args.step:
        relation, _, direction = text.partition(":")
        steps.append({"relation": relation, "direction": direction or "OUT"})
    result = await store.traverse(args.start, steps, max_depth=args.max_depth)
    for entity in result.reached:
        paths = [" ".join(p.entity_ids) for p in result.paths[entity.id]]
        print(
            json.dumps(
                {"id": entity.id, "properties": entity.properties, "paths": paths},
                ensure_ascii=False,
                default=str,
            )
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graph-crm", description="A graph-native CRM engine.")
    parser.add_argument("--version", action="version", version=f"graph-crm {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Command, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _store_options(sub)
        sub.set_defaults(handler=handler)
        return sub

    demo = add("demo", _demo, "load the demo logistics CRM and report a warehouse delay")
    demo.add_argument(
        "--report",
        default="reports/rtm-02-customs-delay.html",
        help="where to write the HTML report ('' for none)",
    )
    demo.add_argument("--serve", action="store_true", help="then serve the GraphQL API")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    seed = add(
        "seed",
        _seed,
        "define types and policies and load data from a seed JSON file, checked whole first",
    )
    seed.add_argument("file")
    seed.add_argument("--actor", default="cli", help="who the audit log records as the author")
    add("types", _types, "list entity and relation types with their counts")
    export = add("export", _export, "write the whole graph (types and data) as JSON Lines")
    export.add_argument("file")
    export.add_argument("--quiet", action="store_true", help="no progress bar")
    import_ = add("import", _import, "load a graph-crm export into an empty store")
    import_.add_argument("file")
    import_.add_argument("--quiet", action="store_true", help="no progress bar")
    import_.add_argument("--actor", default="cli", help="who the audit log records as the importer")
    import_.add_argument(
        "--neo4j-admin-files",
        metavar="DIR",
        help="write the files of `neo4j-admin database import full` into DIR (empty or new) "
        "instead of writing to the store",
    )
    traverse = add("traverse", _traverse, "follow relation steps from start entities")
    traverse.add_argument("start", nargs="+", help="global ids, e.g. Customer:SH-ACME")
    traverse.add_argument(
        "--step", action="append", required=True, help="RELATION[:OUT|IN|BOTH], repeat for each hop"
    )
    traverse.add_argument("--max-depth", type=int)
    add_impact_commands(add)
    add_key_commands(add)
    add_incident_commands(add)
    add_integration_commands(add)
    add_webhook_commands(add)
    add_schema_commands(add)
    add_csv_import_commands(add)

    serve = commands.add_parser(
        "serve", help="serve the GraphQL API", description="serve the GraphQL API with uvicorn"
    )
    _store_options(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes; each checks the registry version in the store per request",
    )
    export_schema = commands.add_parser(
        "export-schema",
        help="print the SDL of the core GraphQL schema (--served: the schema served)",
        description="print the SDL of the core GraphQL schema, the same whatever types exist "
        "(schema.graphql); with --served, the schema the API serves for the store's current "
        "registry, its generated types included",
    )
    _store_options(export_schema)
    export_schema.add_argument(
        "--served",
        action="store_true",
        help="the schema served for the store's registry, generated types included",
    )
    export_schema.set_defaults(handler=_export_served)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from graph_crm.api.server import serve

    # The app's lifespan opens the store, so a store that cannot open stops the server.
    # Read deadlines, the connection bound and the stop on SIGTERM: graph_crm/api/server.py.
    if args.workers <= 1:
        serve(args.settings, host=args.host, port=args.port)
        return 0
    from graph_crm.api.metrics import share_between_workers
    from graph_crm.api.shared_buckets import RUN_DIR_ENV, serve_run_dir

    # Worker processes build their app from the environment (serve hands the settings
    # over), and share what must hold server-wide (rate limits, /metrics) in the run directory.
    with serve_run_dir() as run_dir:
        os.environ[RUN_DIR_ENV] = str(run_dir)
        share_between_workers(run_dir)
        serve(args.settings, host=args.host, port=args.port, workers=args.workers)
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from graph_crm.api import core_sdl

    sys.stdout.write(core_sdl())
    return 0


async def _export_served(store: GraphStore, args: argparse.Namespace) -> int:
    from graph_crm.api import served_sdl

    sys.stdout.write(served_sdl(await store.registry()))
    return 0


async def _run(args: argparse.Namespace) -> int:
    store = await open_store(args.settings)
    try:
        handler: Command = args.handler
        return await handler(store, args)
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "export-schema" and not args.served:
        return _export_schema(args)  # the core schema needs no store
    try:
        args.settings = Settings.from_env(
            backend=args.backend,
            db_path=args.db_path,
            neo4j_uri=args.neo4j_uri,
            neo4j_user=args.neo4j_user,
            neo4j_database=args.neo4j_database,
        )
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        print(f"graph-crm: invalid settings: {problems}", file=sys.stderr)
        return 2
    if args.command == "serve" or getattr(args, "serve", False):
        from graph_crm.api.server import port_taken

        taken = port_taken(args.host, args.port)
        if taken is not None:
            print(
                f"graph-crm: {taken}; pick another port with --port {args.port + 1} "
                "(./scripts/run --port ... passes it on)",
                file=sys.stderr,
            )
            return 2
    if args.command == "serve":
        return _serve(args)
    try:
        code = asyncio.run(_run(args))
        sys.stdout.flush()  # a reader that went away shows here, while we can still handle it
        if code == 0 and getattr(args, "serve", False):
            base = f"http://{args.host}:{args.port}"
            print(f"\nServing the console at {base}/ and GraphQL at {base}/graphql")
            args.workers = 1
            return _serve(args)
        return code
    except BrokenPipeError:
        # The reader went away (`graph-crm demo | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except StoreUnavailable as error:
        print(f"graph-crm: {error}", file=sys.stderr)
        return 3
    except GraphCrmError as error:
        print(f"graph-crm: {error}", file=sys.stderr)
        for issue in error.issues[1:10]:
            print(f"  also: {issue.message} (at {'/'.join(map(str, issue.path))})", file=sys.stderr)
        return 2
