// A relation quantifier nested in another, as a set computed once per statement: the
// element ids of the 'from' entities with a relation to a 'to' entity that passes the
// filter (the caller tests membership with elementId(x) IN $set, a hashed lookup).
MATCH (near)-[:{{REL}}]->(n:{{To}})
WHERE {{where}}
RETURN collect(DISTINCT elementId(near)) AS ids
