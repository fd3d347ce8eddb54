// For each link row: do its ends exist, and what does the relation look like now?
UNWIND $rows AS row
OPTIONAL MATCH (a:{{From}} {key: row.from})
OPTIONAL MATCH (b:{{To}} {key: row.to})
OPTIONAL MATCH (a)-[r:{{REL}}]->(b)
RETURN row.index AS index, a IS NULL AS fromMissing, b IS NULL AS toMissing,
       r._rev AS rev, r.createdAt AS createdAt
