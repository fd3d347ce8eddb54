"""Reading definition changes: a preview of a batch (written nowhere, audited nowhere),
and the registry's history, newest first."""

from __future__ import annotations

import asyncio
import base64
import binascii

import strawberry

from graph_crm.api.context import Info, field
from graph_crm.api.definition_inputs import DefinitionOperationInput
from graph_crm.api.definition_payloads import (
    DefinitionChangeEdge,
    DefinitionChangeType,
    DefinitionHistory,
    DefinitionPreview,
    SchemaChange,
    SchemaChangeKind,
)
from graph_crm.api.errors import Issue
from graph_crm.api.limits import check_first
from graph_crm.api.schema_diff import schema_diff
from graph_crm.api.typed.build import build_schema
from graph_crm.api.types import PageInfo
from graph_crm.errors import IncompatibleChange, InvalidInput, TypeExists, UnknownType
from graph_crm.model.registry import RegistryChange

#: What a batch may be refused for (a store that is down or slow is an error, not this).
REFUSALS = (InvalidInput, UnknownType, TypeExists, IncompatibleChange)


def history_cursor(change: RegistryChange) -> str:
    return base64.urlsafe_b64encode(f"{change.version}:{change.step}".encode()).decode()


def _position(cursor: str) -> tuple[int, int]:
    try:
        version, step = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        return int(version), int(step)
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidInput("after is not a cursor of definitionHistory", path=("after",)) from None


@strawberry.type
class DefinitionQuery:
    @field(
        "What applying these definition changes (as applyDefinitions would, in one "
        "version) would do, without writing or auditing anything: the version it would "
        "make, the served GraphQL schema's definitions it would add, change or remove, "
        "and every refusal at its path."
    )
    async def preview_definitions(
        self, info: Info, operations: list[DefinitionOperationInput]
    ) -> DefinitionPreview:
        context = info.context
        current = context.registry
        try:
            wanted = [operation.to_operation(i) for i, operation in enumerate(operations)]
            planned = await context.store.apply_definitions(
                wanted, actor=context.actor, dry_run=True
            )
        except REFUSALS as refused:
            return DefinitionPreview(
                current_version=current.version,
                version=None,
                refusals=[Issue.from_model(issue) for issue in refused.issues],
                schema_changes=[],
            )
        if not wanted:
            return DefinitionPreview(
                current_version=current.version,
                version=current.version,
                refusals=[],
                schema_changes=[],
            )
        core = context.request.app.state.live_schema.core
        served = context.schema
        # A whole schema built and printed twice: in a worker thread, off the event loop
        # (as api/live.py builds the served ones).
        diffs = await asyncio.to_thread(
            lambda: schema_diff(served.as_str(), build_schema(core, planned).as_str())
        )
        return DefinitionPreview(
            current_version=current.version,
            version=planned.version,
            refusals=[],
            schema_changes=[
                SchemaChange(
                    name=diff.name,
                    change=SchemaChangeKind(diff.change),
                    added=list(diff.added),
                    removed=list(diff.removed),
                    sdl=diff.sdl,
                )
                for diff in diffs
            ],
        )

    @field(
        "The registry's changes, newest first: version, step, kind, name, who and when "
        "(before and after as JSON)."
    )
    async def definition_history(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> DefinitionHistory:
        first = check_first(first, info.context.limits.page_size)
        changes = await info.context.store.registry_changes()
        newest = sorted(changes, key=lambda change: (change.version, change.step), reverse=True)
        if after is not None:
            position = _position(after)
            newest = [c for c in newest if (c.version, c.step) < position]
        page = newest[:first]
        return DefinitionHistory(
            total_count=len(changes),
            edges=[
                DefinitionChangeEdge(
                    cursor=history_cursor(change), node=DefinitionChangeType.from_model(change)
                )
                for change in page
            ],
            page_info=PageInfo(
                has_next_page=len(newest) > first,
                end_cursor=history_cursor(page[-1]) if page else None,
            ),
        )
