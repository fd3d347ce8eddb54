// One part of degree_stats.cypher: a relation type seen from one end ({{way}}): the
// nodes with at least one, the relations, the largest degree (no row when there are none).
MATCH (n:{{Label}})
WITH COUNT { (n){{arrow}}() } AS degree
WHERE degree > 0
RETURN {{way}} AS way, {{nameLiteral}} AS name, count(*) AS ends, sum(degree) AS edges,
       coalesce(max(degree), 0) AS most
