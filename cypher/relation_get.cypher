// The stored relations between (from key, to key) pairs, one row per pair that has one,
// with the pair's index in the request.
UNWIND $rows AS row
MATCH (a:{{From}} {key: row.from})-[r:{{REL}}]->(b:{{To}} {key: row.to})
RETURN row.i AS i, properties(r) AS props
