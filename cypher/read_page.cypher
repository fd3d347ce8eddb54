// A page's rows: after its cursor, in its order, one more than its size, each projected
// (a part of read_operation.cypher).
COLLECT { MATCH (n0:{{Label}}) WHERE {{where}} WITH n0 ORDER BY {{order}} LIMIT {{limit}} RETURN {{projection}} }
