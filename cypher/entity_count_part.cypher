MATCH (n:{{Label}})
WITH count(n) AS total
RETURN {{nameLiteral}} AS name, total
