MATCH (a)-[r:{{REL}}]->(b)
RETURN a.key AS from, b.key AS to, properties(r) AS props
