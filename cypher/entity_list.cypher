MATCH (n:{{Label}})
WHERE {{where}}
RETURN properties(n) AS props
ORDER BY {{order}}
LIMIT $limit
