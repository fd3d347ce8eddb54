// The stored revision of each relation between the (from key, to key) $pairs that
// exists: a link sends only the rows whose revision differs.
UNWIND $pairs AS pair
MATCH (a:{{From}} {key: pair[0]})-[r:{{REL}}]->(b:{{To}} {key: pair[1]})
RETURN a.key AS from, b.key AS to, r._rev AS rev
