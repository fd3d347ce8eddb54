// One round trip for a batch of near ends: each gets its far neighbours, filtered,
// ordered and cut to $limit inside the subquery (one row per near key, even if none).
UNWIND $keys AS nearKey
CALL (nearKey) {
  MATCH (:{{From}} {key: nearKey})-[r:{{REL}}]->(n:{{To}})
  WHERE {{where}}
  WITH r, n
  ORDER BY {{order}}
  LIMIT $limit
  RETURN collect({rel: properties(r), props: properties(n)}) AS neighbors
}
RETURN nearKey, neighbors
