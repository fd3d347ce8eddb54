// One statement per traversal: the typed, bounded pattern is generated from the plan.
MATCH p = (start:{{StartLabels}}){{pattern}}
WHERE start.key IN $startKeys AND start.id IN $startIds
  AND length(p) <= $maxDepth
  AND all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[i + 1..])
WITH last(nodes(p)) AS target, p
ORDER BY length(p), [x IN nodes(p) | x.id]
WITH target, collect(p)[..$pathsPerTarget] AS paths
ORDER BY target.id
LIMIT $limit
RETURN target.id AS id,
       properties(target) AS props,
       [p IN paths | {
          ids: [x IN nodes(p) | x.id],
          relations: [r IN relationships(p) | type(r)],
          directions: [i IN range(0, length(p) - 1) |
                       CASE WHEN startNode(relationships(p)[i]) = nodes(p)[i]
                            THEN 'OUT' ELSE 'IN' END]
       }] AS paths
