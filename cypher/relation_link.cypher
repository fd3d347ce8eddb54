// Creates or updates relations; rows arrive only when they change something, each with
// its complete property map (absent properties as null, which removes them).
UNWIND $rows AS row
MATCH (a:{{From}} {key: row.from})
MATCH (b:{{To}} {key: row.to})
MERGE (a)-[r:{{REL}}]->(b)
SET r += row.props
RETURN count(r) AS written
