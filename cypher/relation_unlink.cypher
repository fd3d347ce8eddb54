UNWIND $rows AS row
MATCH (a:{{From}} {key: row.from})-[r:{{REL}}]->(b:{{To}} {key: row.to})
DELETE r
RETURN count(r) AS removed
