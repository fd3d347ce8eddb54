"""Impact rows on Neo4j: one statement per report, generated from the plan."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from neo4j import AsyncManagedTransaction

from graph_crm.errors import NotFound
from graph_crm.impact.plan import PATHS_PER_TARGET, ImpactPlan, ImpactRow
from graph_crm.impact.request import as_deadline, check_request, exposure_total
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.core import Neo4jCore, _cypher
from graph_crm.store.neo4j.impact_compile import compile_impact


def decode_deadline(encoded: str | list[int]) -> datetime:
    """A deadline as the statement returns it: DATE text, or DATETIME epoch seconds and nanos."""
    if isinstance(encoded, str):
        return as_deadline(date.fromisoformat(encoded))
    seconds, nanos = encoded
    return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=nanos // 1000)


def _row(raw: Mapping[str, Any]) -> ImpactRow:
    sla = raw["sla"]
    paths = sorted((tuple(ids) for ids in raw["paths"]), key=lambda ids: (len(ids), ids))
    return ImpactRow(
        target=raw["target"],
        paths=tuple(paths[:PATHS_PER_TARGET]),
        path_count=int(raw["pathCount"]),
        sla_deadline=None if sla is None else decode_deadline(sla[0]),
        sla_entity=None if sla is None else sla[1],
        complaints=int(raw["complaints"]),
        exposure=exposure_total(raw["amounts"]),
        exposure_entities=len(raw["amounts"]),
    )


class ImpactOps(Neo4jCore):
    async def impact_rows(
        self, plan: ImpactPlan, source: str, *, as_of: datetime
    ) -> list[ImpactRow]:
        registry = await self._fresh_registry()
        request = check_request(registry, plan, source, as_of)
        compiled = compile_impact(plan, request)
        query = _cypher(q.IMPACT, **compiled.fragments)

        async def work(tx: AsyncManagedTransaction) -> list[dict[str, Any]] | None:
            result = await tx.run(query, compiled.params)
            # the raw values: Record.data() would walk every nested value again in Python
            found = [record["rows"] async for record in result]
            return found[0] if found else None

        rows = await self._read_tx(work)
        if rows is None:
            raise NotFound(f"there is no entity {source[:120]}", path=("source",))
        return sorted((_row(raw) for raw in rows), key=lambda row: row.target)
