"""``graph-crm webhooks list|create|revoke|deliveries|replay``: outbound webhooks and
their delivery log, managed by whoever runs the store, as admins do over GraphQL."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable

from graph_crm.incidents.delivery import Delivery, DeliveryStatus
from graph_crm.incidents.webhook import Webhook
from graph_crm.services.webhooks import create_webhook, replay_delivery, revoke_webhook
from graph_crm.store.base import GraphStore

Command = Callable[[GraphStore, argparse.Namespace], Awaitable[int]]
Add = Callable[[str, Command, str], argparse.ArgumentParser]
_ACTIONS = ("list", "create", "revoke", "deliveries", "replay")


def add_webhook_commands(add: Add) -> None:
    parser = add(
        "webhooks",
        _webhooks,
        "list, create or revoke outbound webhooks (a secret is shown once); read their "
        "delivery log and replay dead letters",
    )
    parser.add_argument("action", choices=_ACTIONS)
    parser.add_argument(
        "target", nargs="?", help="revoke: the webhook's id; replay: the delivery's id"
    )
    parser.add_argument("--name", help="create: what it is, e.g. risk-desk")
    parser.add_argument("--url", help="create: where to POST (http or https)")
    parser.add_argument(
        "--filter",
        help='create: the changes wanted, as JSON, e.g. \'{"sourceTypes": ["Warehouse"]}\'',
    )
    parser.add_argument("--webhook", help="deliveries: only this webhook's")
    parser.add_argument(
        "--status", choices=[s.value for s in DeliveryStatus], help="deliveries: only these"
    )
    parser.add_argument("--first", type=int, default=50, help="deliveries: at most this many")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--actor", default="cli", help="who the audit log records as the author")


def _describe(webhook: Webhook) -> dict[str, object]:
    revoked = webhook.revoked_at
    return {
        "id": webhook.id,
        "name": webhook.name,
        "url": webhook.url,
        "filter": webhook.filter.to_record(),
        "createdAt": webhook.created_at.isoformat(),
        "createdBy": webhook.created_by,
        "revokedAt": None if revoked is None else revoked.isoformat(),
    }


def _delivery(delivery: Delivery) -> dict[str, object]:
    record: dict[str, object] = json.loads(delivery.to_text())
    del record["leaseOwner"], record["replayMark"]
    return record


def _line(delivery: Delivery) -> str:
    last = delivery.attempts[-1] if delivery.attempts else None
    said = (
        "" if last is None else f"  last: {last.error or last.status_code} ({last.duration_ms} ms)"
    )
    return (
        f"{delivery.id}  seq {delivery.seq:<6} {delivery.status.value:<10} "
        f"{len(delivery.attempts)} attempt(s){said}"
    )


async def _create(store: GraphStore, args: argparse.Namespace) -> int:
    if not args.name or not args.url:
        print("graph-crm webhooks create: --name and --url are required", file=sys.stderr)
        return 2
    try:
        wanted = None if args.filter is None else json.loads(args.filter)
    except json.JSONDecodeError as error:
        print(f"graph-crm webhooks create: --filter is not JSON ({error})", file=sys.stderr)
        return 2
    made = await create_webhook(store, args.name, args.url, wanted, actor=args.actor)
    if args.json:
        print(json.dumps({**_describe(made), "secret": made.secret}))
    else:
        print(f"id     {made.id}\nsecret {made.secret}")
        print(
            "This is the only time the secret is shown: give it to the receiver, which "
            "checks each notification's signature with it (docs: Webhooks).",
            file=sys.stderr,
        )
    return 0


async def _webhooks(store: GraphStore, args: argparse.Namespace) -> int:
    if args.action == "create":
        return await _create(store, args)
    if args.action in ("revoke", "replay") and not args.target:
        what = "webhook's" if args.action == "revoke" else "delivery's"
        print(f"graph-crm webhooks {args.action}: give the {what} id", file=sys.stderr)
        return 2
    if args.action == "revoke":
        found = (await revoke_webhook(store, args.target, actor=args.actor)).webhook
        print(json.dumps(_describe(found)) if args.json else f"revoked {found.id} ({found.name})")
        return 0
    if args.action == "replay":
        replayed = await replay_delivery(store, args.target, actor=args.actor)
        print(json.dumps(_delivery(replayed)) if args.json else f"due again: {_line(replayed)}")
        return 0
    if args.action == "deliveries":
        log = await store.deliveries(webhook_id=args.webhook, status=args.status, first=args.first)
        print(json.dumps([_delivery(d) for d in log]) if args.json else "\n".join(map(_line, log)))
        return 0
    listed = await store.webhooks()
    if args.json:
        print(json.dumps([_describe(w) for w in listed], ensure_ascii=False))
        return 0
    for found in listed:
        state = "active" if found.active else f"revoked {found.revoked_at:%Y-%m-%d %H:%M}"
        print(f"{found.id}  {found.name:<24} {found.url}  {state}")
    if not listed:
        print("no webhooks yet: `graph-crm webhooks create --name <what> --url <where>`")
    return 0
