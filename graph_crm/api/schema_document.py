"""``applySchema``: schema as code over GraphQL, for config officers.

The document is the YAML (or JSON) ``graph-crm schema export`` writes; what applying it
means is :mod:`graph_crm.services.schema_document`'s (one registry change or nothing; a
document already there changes nothing). ``dryRun`` is the CLI's ``schema diff``.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph_crm.api.context import Info, mutation
from graph_crm.api.errors import Error, Issue, as_result
from graph_crm.services.schema_document import DocumentPlan, apply_document, parse_document


@strawberry.type(name="SchemaDocumentChange", description="What applying does to one definition.")
class SchemaDocumentChangeType:
    action: str = strawberry.field(description="add, change or drop.")
    kind: str = strawberry.field(description="entity type, relation type or impact policy.")
    name: str
    details: list[str] = strawberry.field(
        description="For a change: each property added, changed or dropped, each own field "
        "changed, in words."
    )


@strawberry.type(description="A schema document applied, or checked (dryRun).")
class SchemaDocumentPayload:
    applied: bool = strawberry.field(
        description="Whether a registry change was written (false: a dry run, nothing to "
        "do, or refused)."
    )
    schema_version: int = strawberry.field(
        description="The registry version after applying (a dry run: the one it would make)."
    )
    changes: list[SchemaDocumentChangeType]
    kept: list[str] = strawberry.field(
        description="Definitions the registry holds and the document leaves out, kept "
        "(prune: true drops them)."
    )
    refusals: list[Issue] = strawberry.field(
        description="Every refusal, at its path in the document; then nothing was applied."
    )

    @classmethod
    def of(cls, plan: DocumentPlan, *, dry_run: bool) -> SchemaDocumentPayload:
        return cls(
            applied=not dry_run and not plan.unchanged and not plan.refusals,
            schema_version=plan.version,
            changes=[
                SchemaDocumentChangeType(
                    action=change.action,
                    kind=change.kind,
                    name=change.name,
                    details=list(change.details),
                )
                for change in plan.changes
            ],
            kept=plan.kept,
            refusals=[Issue.from_model(issue) for issue in plan.refusals],
        )


SchemaDocumentResult = Annotated[
    SchemaDocumentPayload | Error, strawberry.union("SchemaDocumentResult")
]


@strawberry.type
class SchemaDocumentMutation:
    @mutation(
        "Apply a schema document (YAML or JSON: entityTypes, relationTypes, impactPolicies, "
        "as `graph-crm schema export` writes) in one registry change, or nothing. Each "
        "definition in it is made exactly as written; those it leaves out are kept unless "
        "prune. What is already there changes nothing (no version, no audit). dryRun: "
        "what it would do, nothing written."
    )
    async def apply_schema(
        self, info: Info, document: str, dry_run: bool = False, prune: bool = False
    ) -> SchemaDocumentResult:
        context = info.context

        async def run() -> SchemaDocumentPayload:
            plan = await apply_document(
                context.store,
                parse_document(document),
                actor=context.actor,
                prune=prune,
                dry_run=dry_run,
            )
            return SchemaDocumentPayload.of(plan, dry_run=dry_run)

        return await as_result(run)
