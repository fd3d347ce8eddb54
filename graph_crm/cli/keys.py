"""``graph-crm keys create|list|revoke``: API keys, managed by whoever runs the store.

The command line reaches the store directly (it needs its credentials or file), so it
is the way to make the first admin key; from then on admins can manage keys too.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from graph_crm.auth.keys import ApiKey
from graph_crm.auth.roles import Role
from graph_crm.services.api_keys import create_key
from graph_crm.store.base import GraphStore

Command = Callable[[GraphStore, argparse.Namespace], Awaitable[int]]
Add = Callable[[str, Command, str], argparse.ArgumentParser]


def add_key_commands(add: Add) -> None:
    keys = add("keys", _keys, "create, list or revoke API keys (a token is shown only once)")
    keys.add_argument("action", choices=["create", "list", "revoke"])
    keys.add_argument("target", nargs="?", help="revoke: the key's id")
    keys.add_argument("--role", choices=[role.value for role in Role], help="create: its role")
    keys.add_argument("--name", help="create: what the key is for, e.g. nightly-erp-sync")
    keys.add_argument("--json", action="store_true", help="machine-readable output")
    keys.add_argument("--actor", default="cli", help="who the audit log records as the author")


def _describe(key: ApiKey) -> dict[str, str | None]:
    return {
        "id": key.id,
        "name": key.name,
        "role": key.role.value,
        "createdAt": key.created_at.isoformat(),
        "createdBy": key.created_by,
        "revokedAt": None if key.revoked_at is None else key.revoked_at.isoformat(),
    }


async def _keys(store: GraphStore, args: argparse.Namespace) -> int:
    if args.action == "create":
        if not args.role:
            print("graph-crm keys create: --role is required", file=sys.stderr)
            return 2
        token = await create_key(
            store, args.name or f"{args.role}-key", args.role, actor=args.actor
        )
        if args.json:
            print(json.dumps({"token": token, "role": args.role}))
        else:
            print(token)
            print(
                f"A new {args.role} key. This is the only time it is shown: store it now, and "
                "send it as 'Authorization: Bearer <key>'.",
                file=sys.stderr,
            )
        return 0
    if args.action == "revoke":
        if not args.target:
            print(
                "graph-crm keys revoke: give the key's id (see `graph-crm keys list`)",
                file=sys.stderr,
            )
            return 2
        key = await store.revoke_api_key(args.target, at=datetime.now(UTC), actor=args.actor)
        print(json.dumps(_describe(key)) if args.json else f"revoked {key.id} ({key.name})")
        return 0
    listed = await store.api_keys()
    if args.json:
        print(json.dumps([_describe(key) for key in listed], ensure_ascii=False))
        return 0
    for key in listed:
        state = "active" if key.active else f"revoked {key.revoked_at:%Y-%m-%d %H:%M}"
        print(
            f"{key.id}  {key.role.value:<14} {key.name:<30} created {key.created_at:%Y-%m-%d %H:%M}"
            f" by {key.created_by}  {state}"
        )
    if not listed:
        print("no API keys yet: `graph-crm keys create --role admin`")
    return 0
