// One part of relation_counts.cypher: the asked entities of one type, each with one
// count per relation type and direction touching the type ({{degrees}}: COUNT subqueries
// over a typed, directed pattern, which Neo4j reads from the node's degrees).
UNWIND $keys[{{nameLiteral}}] AS key
MATCH (n:{{Label}} {key: key})
RETURN {{nameLiteral}} AS type, key, [{{degrees}}] AS counts
