// One part of degree_stats.cypher: the entities of a type.
MATCH (n:{{Label}})
RETURN 'ENTITY' AS way, {{nameLiteral}} AS name, count(n) AS ends, 0 AS edges, 0 AS most
