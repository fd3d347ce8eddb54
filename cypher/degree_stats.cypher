// Degree statistics in one statement: a part per entity type (degree_stats_entities.cypher,
// from the count store) and per relation type and end (degree_stats_relation.cypher, from
// each node's degree), filled by graph_crm/store/neo4j/stats_ops.py from the registry.
CALL () {
{{parts}}
}
RETURN way, name, ends, edges, most
