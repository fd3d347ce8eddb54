// The properties of the owners of $keys, for their formulas that read a rollup.
UNWIND $keys AS key
MATCH (o:{{Owner}} {key: key})
RETURN properties(o) AS props
