// Deletes entities and every relation touching them; returns the keys deleted.
MATCH (n:{{Label}})
WHERE n.key IN $keys
OPTIONAL MATCH (n)-[r]-()
WITH collect(DISTINCT n) AS nodes, collect(DISTINCT r) AS relations
WITH nodes, relations, [n IN nodes | n.key] AS keys
FOREACH (r IN relations | DELETE r)
FOREACH (n IN nodes | DELETE n)
RETURN size(nodes) AS entities, size(relations) AS relations, keys
