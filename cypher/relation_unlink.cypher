// Removes relations; returns the ends of those that existed (for the audit record).
UNWIND $rows AS row
MATCH (a:{{From}} {key: row.from})-[r:{{REL}}]->(b:{{To}} {key: row.to})
DELETE r
RETURN count(r) AS removed, collect([row.from, row.to]) AS removedEnds
