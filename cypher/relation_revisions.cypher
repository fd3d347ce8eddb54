UNWIND $rows AS row
MATCH (a:{{From}} {key: row.from})-[r:{{REL}}]->(b:{{To}} {key: row.to})
RETURN row.index AS index, r._rev AS rev
