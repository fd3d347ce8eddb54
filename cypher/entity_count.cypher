MATCH (n:{{Label}})
WHERE {{where}}
RETURN count(n) AS total
