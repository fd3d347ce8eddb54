// A lookup by key: the entity projected, or null (a part of read_operation.cypher).
head(COLLECT { MATCH (n0:{{Label}} {key: {{key}}}) RETURN {{projection}} LIMIT 1 })
