UNWIND $rows AS row
MATCH (a:{{From}} {key: row.from})
MATCH (b:{{To}} {key: row.to})
CREATE (a)-[r:{{REL}}]->(b)
SET r = row.props
SET r.createdAt = row.createdAt, r.updatedAt = row.updatedAt
RETURN count(r) AS written
