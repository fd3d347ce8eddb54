MATCH (a:{{From}})-[r:{{REL}}]->(b:{{To}})
WHERE $after IS NULL OR a.key > $after[0] OR (a.key = $after[0] AND b.key > $after[1])
RETURN a.key AS from, b.key AS to, properties(r) AS props
ORDER BY from, to
LIMIT $limit
