"""Degree statistics on the embedded store: one SQLite statement over the relations."""

from __future__ import annotations

from typing import Final

from graph_crm.model.degree_stats import DegreeStats, from_rows
from graph_crm.store.embedded.database import EmbeddedDatabase

# Each relation type seen from each end: distinct near ends, relations, the largest
# degree (the (type, from_id, to_id) unique index serves the first grouping); then the
# entities per type.
_DEGREE_STATS: Final = """
SELECT 'OUT', type, count(*), sum(n), max(n)
FROM (SELECT type, from_id, count(*) AS n FROM relations GROUP BY type, from_id)
GROUP BY type
UNION ALL
SELECT 'IN', type, count(*), sum(n), max(n)
FROM (SELECT type, to_id, count(*) AS n FROM relations GROUP BY type, to_id)
GROUP BY type
UNION ALL
SELECT 'ENTITY', type, count(*), 0, 0 FROM entities GROUP BY type
"""


class StatsOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def degree_stats(self) -> DegreeStats:
        def run() -> DegreeStats:
            self.db.refresh()
            registry = self.db.registry
            return from_rows(
                self.db.conn.execute(_DEGREE_STATS).fetchall(),
                registry.entity_types,
                registry.relation_types,
            )

        return await self.db.call(run)
