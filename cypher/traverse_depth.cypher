// One depth of traverse.cypher. Every partial path one hop on, at most $edgeLimit
// relationships: $moves[depth] maps its "step:hops" to the [step, hops] it may land in;
// each step follows $relations[step] in $directions[step] (the text names only the
// plan's relationship types).
CALL (frontier, finished) {
  UNWIND CASE WHEN finished THEN [] ELSE frontier END AS f
  WITH f, f[0] AS n
  UNWIND $moves[{{depth}}][toString(f[4]) + ':' + toString(f[5])] AS move
  WITH f, n, move[0] AS step, move[1] AS hops, $relations[move[0]] AS relation,
       $directions[move[0]] AS direction
  MATCH (n)-[r:{{RelTypes}}]-(m)
  WHERE m <> n AND type(r) = relation
    AND (direction = 'BOTH' OR (startNode(r) = n) = (direction = 'OUT'))
  WITH f, m, step, hops, relation, CASE WHEN startNode(r) = n THEN 'O' ELSE 'I' END AS dir
  LIMIT $edgeLimit
  RETURN collect([m, f[1] + $separator + m.id, f[2] + dir, f[3] + $separator + relation,
                  step, hops]) AS expanded
}
WITH frontier, found, used + size(expanded) AS used, expanded, finished
// Never back onto a node of the path; then each step's filter, on m. Per (start, node,
// step, hops): the first $caps[depth] partial paths in order and, for each node inside
// those, the first $spare[depth] that avoid it.
CALL (expanded, used) {
  UNWIND CASE WHEN used > $edgeBudget THEN [] ELSE expanded END AS e
  WITH e[0] AS m, e[1] AS ids, e[2] AS dirs, e[3] AS rels, e[4] AS step, e[5] AS hops
  WHERE NOT ($separator + ids) CONTAINS ($separator + m.id + $separator) AND ({{filters}})
  WITH DISTINCT split(ids, $separator)[0] AS origin, m, step, hops, ids, dirs, rels
  ORDER BY ids, dirs, rels
  WITH origin, m, step, hops,
       collect([m, ids, dirs, rels, step, hops, $separator + ids + $separator]) AS ordered
  WITH ordered, $caps[{{depth}}] AS cap, $spare[{{depth}}] AS spare
  WITH ordered, cap, spare,
       CASE WHEN size(ordered) <= cap OR spare = 0 THEN []
            ELSE reduce(inside = [], p IN ordered[..cap] |
                        inside + [x IN split(p[1], $separator)[1..-1] WHERE NOT x IN inside])
       END AS inside
  WITH ordered, cap, spare, [x IN inside | $separator + x + $separator] AS needles
  WITH CASE WHEN size(needles) = 0 THEN ordered[..cap]
       ELSE reduce(s = [[], [x IN needles | 0], 0], p IN ordered |
         [CASE WHEN s[2] < cap
                 OR any(i IN range(0, size(needles) - 1)
                        WHERE s[1][i] < spare AND NOT p[6] CONTAINS needles[i])
               THEN s[0] + [p] ELSE s[0] END,
          [i IN range(0, size(needles) - 1) |
           s[1][i] + CASE WHEN p[6] CONTAINS needles[i] THEN 0 ELSE 1 END],
          s[2] + 1])[0]
       END AS kept
  UNWIND kept AS k
  RETURN collect(k[..6]) AS next
}
// The complete ones join `found`: longer than any path found before, so appended.
CALL (next, found) {
  CALL (next, found) {
    UNWIND found AS t
    RETURN t[0] AS target, t[1] AS distance, t[2] AS paths, 0 AS fresh
    UNION ALL
    UNWIND next AS x
    WITH x
    WHERE x[4] = $lastStep AND x[5] >= $lastMinHops
    WITH DISTINCT x[0] AS target, x[1] AS ids, x[2] AS dirs, x[3] AS rels
    ORDER BY ids, dirs, rels
    RETURN target, {{depth}} AS distance, collect([ids, dirs, rels]) AS paths, 1 AS fresh
  }
  WITH target, distance, paths, fresh
  ORDER BY fresh
  WITH target, min(distance) AS distance, collect(paths) AS lists
  ORDER BY distance, target.id
  // not LIMIT: a Top would count the imported lists once per row it holds
  RETURN collect([target, distance,
                  reduce(joined = [], l IN lists | joined + l)[..$pathsPerTarget]])
         [..$limit + 1] AS merged
}
WITH next AS frontier, merged AS found, used,
     finished OR used > $edgeBudget OR size(next) = 0
     OR (size(merged) > $limit
         AND all(t IN merged[..$limit] WHERE size(t[2]) >= $pathsPerTarget)) AS finished
