// A relation field of the entity {{near}}: its far ends filtered, ordered and cut, each
// projected (a part of an entity's projection in read_operation.cypher).
COLLECT { MATCH {{pattern}} WHERE {{where}} WITH {{rel}}, {{far}} ORDER BY {{order}} LIMIT {{limit}} RETURN {{projection}} }
