// The distinct far entities each owner of $keys reaches along a rollup's path, as their
// properties ({{walk}}: the path's hops, a WITH DISTINCT between two of them, binding f).
UNWIND $keys AS key
MATCH (o:{{Owner}} {key: key}){{walk}}
WITH DISTINCT o, f
RETURN o.key AS owner, properties(f) AS props
