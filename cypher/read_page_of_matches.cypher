// A counted page's rows cut from its collected matches (read_matches.cypher): after its
// cursor, in its order, one more than its size, each projected (a part of
// read_operation.cypher).
COLLECT { UNWIND {{matches}} AS n0 WITH n0 WHERE {{after}} ORDER BY {{order}} LIMIT {{limit}} RETURN {{projection}} }
