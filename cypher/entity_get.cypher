MATCH (n:{{Label}})
WHERE n.key IN $keys
RETURN properties(n) AS props
