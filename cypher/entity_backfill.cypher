// Gives existing entities a new property's default (a definition change).
MATCH (n:{{Label}})
WHERE n.{{prop}} IS NULL
SET n.{{prop}} = $value, n.updatedAt = $now
RETURN count(n) AS updated
