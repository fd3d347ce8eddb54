MATCH (n:{{Label}})
RETURN properties(n) AS props
