"""``graph-crm integrations create|list|revoke``: the systems that post signed events
(``POST /events``), managed by whoever runs the store, as admins do over GraphQL."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable

from graph_crm.auth.integrations import EVENT_TYPES, Integration
from graph_crm.services.integrations import create_integration, revoke_integration
from graph_crm.store.base import GraphStore

Command = Callable[[GraphStore, argparse.Namespace], Awaitable[int]]
Add = Callable[[str, Command, str], argparse.ArgumentParser]


def add_integration_commands(add: Add) -> None:
    parser = add(
        "integrations",
        _integrations,
        "create, list or revoke integrations that post signed events (a secret is shown once)",
    )
    parser.add_argument("action", choices=["create", "list", "revoke"])
    parser.add_argument("target", nargs="?", help="revoke: the integration's id")
    parser.add_argument("--name", help="create: what it is, e.g. customs-broker-feed")
    parser.add_argument(
        "--event-type",
        action="append",
        choices=list(EVENT_TYPES),
        help="create: an event type it may post (repeat it; default: disruption)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--actor", default="cli", help="who the audit log records as the author")


def _describe(integration: Integration) -> dict[str, object]:
    revoked = integration.revoked_at
    return {
        "id": integration.id,
        "name": integration.name,
        "eventTypes": list(integration.event_types),
        "createdAt": integration.created_at.isoformat(),
        "createdBy": integration.created_by,
        "revokedAt": None if revoked is None else revoked.isoformat(),
    }


async def _integrations(store: GraphStore, args: argparse.Namespace) -> int:
    if args.action == "create":
        if not args.name:
            print("graph-crm integrations create: --name is required", file=sys.stderr)
            return 2
        made = await create_integration(
            store, args.name, args.event_type or ["disruption"], actor=args.actor
        )
        if args.json:
            print(json.dumps({**_describe(made), "secret": made.secret}))
        else:
            print(f"id     {made.id}\nsecret {made.secret}")
            print(
                "This is the only time the secret is shown: give it to the integration, which "
                "signs each event with it (docs: Incidents, Events in).",
                file=sys.stderr,
            )
        return 0
    if args.action == "revoke":
        if not args.target:
            print("graph-crm integrations revoke: give the integration's id", file=sys.stderr)
            return 2
        revocation = await revoke_integration(store, args.target, actor=args.actor)
        found = revocation.integration
        print(json.dumps(_describe(found)) if args.json else f"revoked {found.id} ({found.name})")
        return 0
    listed = await store.integrations()
    if args.json:
        print(json.dumps([_describe(i) for i in listed], ensure_ascii=False))
        return 0
    for found in listed:
        state = "active" if found.active else f"revoked {found.revoked_at:%Y-%m-%d %H:%M}"
        print(
            f"{found.id}  {found.name:<30} {','.join(found.event_types):<12} "
            f"created {found.created_at:%Y-%m-%d %H:%M} by {found.created_by}  {state}"
        )
    if not listed:
        print("no integrations yet: `graph-crm integrations create --name <what it is>`")
    return 0
