// Creates or replaces entities by key; rows arrive only when they change something, each
// with its complete property map (absent properties as null, which removes them).
UNWIND $rows AS row
MERGE (n:Entity:{{Label}} {key: row.key})
SET n += row.props
RETURN count(n) AS written
