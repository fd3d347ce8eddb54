// As neighbors_out, against the arrow: the near ends are the relation's 'to' entities.
UNWIND $keys AS nearKey
CALL (nearKey) {
  MATCH (:{{To}} {key: nearKey})<-[r:{{REL}}]-(n:{{From}})
  WHERE {{where}}
  WITH r, n
  ORDER BY {{order}}
  LIMIT $limit
  RETURN collect({rel: properties(r), props: properties(n)}) AS neighbors
}
RETURN nearKey, neighbors
