"""Impact rows on Neo4j: one statement per report, generated from the plan."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import Neo4jError

from graph_crm.errors import NotFound
from graph_crm.impact.plan import ImpactPlan, ImpactRow
from graph_crm.impact.request import as_deadline, check_request, exposure_total
from graph_crm.model.formula import EvaluationFailed
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.compile import resolved
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.impact_compile import PATH_SEPARATOR, compile_impact
from graph_crm.store.neo4j.statements import (
    cypher,
)
from graph_crm.tracing import statement_span

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def decode_deadline(encoded: str | int) -> datetime:
    """A deadline as the statement returns it: DATE text, or DATETIME epoch microseconds."""
    if isinstance(encoded, str):
        return as_deadline(date.fromisoformat(encoded))
    return _EPOCH + timedelta(microseconds=encoded)


def _paths(texts: list[str]) -> tuple[tuple[str, ...], ...]:
    """The kept paths (ids joined by the separator), shortest first, then in id order."""
    paths = [tuple(text.split(PATH_SEPARATOR)) for text in texts]
    if len(paths) > 1:
        paths.sort(key=lambda ids: (len(ids), ids))
    return tuple(paths)


def decode_rows(columns: Sequence[list[Any]]) -> list[ImpactRow]:
    """One record's columns (a value per target in each) as rows."""
    rows = []
    for texts, path_count, values, complaints, sla in zip(*columns, strict=True):
        paths = _paths(texts)
        rows.append(
            ImpactRow(
                target=paths[0][-1],  # every target has a path, and every path ends there
                paths=paths,
                path_count=path_count,
                sla_deadline=decode_deadline(sla[0]) if sla else None,
                sla_entity=sla[1] if sla else None,
                complaints=complaints,
                exposure=exposure_total(values),
                exposure_entities=len(values),
            )
        )
    return rows


#: What Cypher raises where the reference evaluator fails (docs/formulas.md): an INT
#: outside 64 bits, a guard's division by zero, a date outside its range.
_EVALUATION_CODES: Final = frozenset(
    {
        "Neo.ClientError.Statement.ArithmeticError",
        "Neo.ClientError.Statement.ArgumentError",
        "Neo.ClientError.Statement.InvalidArgument",
    }
)


@contextmanager
def failed_conditions() -> Iterator[None]:
    """A policy's condition that cannot be computed for some entity, as the embedded
    store reports it: :class:`EvaluationFailed`."""
    try:
        yield
    except Neo4jError as error:
        if error.code not in _EVALUATION_CODES:
            raise
        raise EvaluationFailed(
            "a condition of the policy cannot be computed for an entity it reaches "
            "(a number, string or date outside its kind's range)"
        ) from None


class ImpactOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def impact_rows(
        self, plan: ImpactPlan, source: str, *, as_of: datetime, delay_days: float = 0.0
    ) -> list[ImpactRow]:
        registry = await self.db.fresh_registry()
        request = check_request(registry, plan, source, as_of, delay_days)
        compiled = compile_impact(request.plan, request)
        query = cypher(q.IMPACT, **compiled.fragments)

        async def work(tx: AsyncManagedTransaction) -> list[ImpactRow] | None:
            # a record per slice of targets, each decoded as it arrives (from the raw
            # values: Record.data() would walk every nested value again in Python)
            rows: list[ImpactRow] = []
            records = 0
            with statement_span("neo4j", query), failed_conditions():
                result = await tx.run(query, await resolved(tx, compiled.params))
                async for record in result:
                    records += 1
                    rows.extend(decode_rows(record.values()))
            return rows if records else None

        rows = await self.db.read(work)
        if rows is None:
            raise NotFound(f"there is no entity {source[:120]}", path=("source",))
        rows.sort(key=lambda row: row.target)
        return rows
