MATCH (n:{{Label}}) RETURN {{nameLiteral}} AS name, count(n) AS total
