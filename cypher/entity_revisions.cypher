// The stored revision and creation time of each key that exists.
MATCH (n:{{Label}})
WHERE n.key IN $keys
RETURN n.key AS key, n._rev AS rev, n.createdAt AS createdAt
