// One hop of a rollup's path walked back: the keys of the near entities linked to the
// far entities of $keys ({{back}} is the hop's relation pattern, seen from its far end).
UNWIND $keys AS key
MATCH (f:{{Far}} {key: key}){{back}}(n:{{Near}})
RETURN collect(DISTINCT n.key) AS keys
