// Stores recomputed revisions after a back-fill.
UNWIND $rows AS row
MATCH (a:{{From}} {key: row.from})-[r:{{REL}}]->(b:{{To}} {key: row.to})
SET r._rev = row.rev
