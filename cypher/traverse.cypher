// One statement per traversal, filled from the plan by graph_crm/store/neo4j/traverse_compile.py:
// the bounded breadth-first search of graph_crm/model/traversal_search.py, one block per
// depth (each a traverse_depth.cypher). A partial path is a list: [its last node, the
// ids along it, its hop directions ('O'/'I' each), its relationship types, its step,
// the hops taken in that step]; ids and types are joined by $separator, which sorts
// before every character an id may hold, so the texts sort as the lists would (and
// hold far less memory). `found` holds the first $limit + 1 targets (nearest first,
// then by id), each [node, distance, paths]; `used` counts relationships expanded.
MATCH (start:{{StartLabels}})
WHERE start.key IN $startKeys AND start.id IN $startIds
WITH start
ORDER BY start.id
WITH collect([start, start.id, '', '', -1, 0]) AS frontier
WITH frontier, [] AS found, 0 AS used, size(frontier) = 0 AS finished
{{depths}}
RETURN used > $edgeBudget AS exceeded,
       size(found) > $limit AS truncated,
       [t IN found[..$limit] | {id: t[0].id, props: properties(t[0]), paths: t[2]}] AS reached
