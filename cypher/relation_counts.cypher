// Relation counts of a batch of entities in one statement: a part per entity type
// (relation_counts_part.cypher), filled by graph_crm/store/neo4j/graph_ops.py from the
// registry.
CALL () {
{{countParts}}
}
RETURN type, key, counts
