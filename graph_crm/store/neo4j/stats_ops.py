"""Degree statistics on Neo4j: one statement, from the count store and node degrees."""

from __future__ import annotations

from graph_crm.model.degree_stats import DegreeStats, from_rows
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.statements import (
    cypher,
    fetch,
)


class StatsOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def degree_stats(self) -> DegreeStats:
        registry = await self.db.fresh_registry()
        parts = [
            q.render(q.DEGREE_STATS_ENTITIES, Label=q.label(name), nameLiteral=q.name_literal(name))
            for name in sorted(registry.entity_types)
        ]
        for name in sorted(registry.relation_types):
            relation = registry.relation_types[name]
            for way, near, arrow in (
                ("'OUT'", relation.from_type, f"-[:{q.rel_type(name)}]->"),
                ("'IN'", relation.to_type, f"<-[:{q.rel_type(name)}]-"),
            ):
                parts.append(
                    q.render(
                        q.DEGREE_STATS_RELATION,
                        Label=q.label(near),
                        arrow=arrow,
                        way=way,
                        nameLiteral=q.name_literal(name),
                    )
                )
        if not parts:
            return DegreeStats()
        query = cypher(q.DEGREE_STATS, parts="\nUNION ALL\n".join(parts))
        rows = await self.db.read(lambda tx: fetch(tx, query))
        return from_rows(
            [(r["way"], r["name"], r["ends"], r["edges"], r["most"]) for r in rows],
            registry.entity_types,
            registry.relation_types,
        )
