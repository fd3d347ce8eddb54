// A whole GraphQL query in one statement (graph_crm/store/neo4j/read_compile.py): one
// column per root of the query, each a subquery expression (read_lookup, read_count,
// read_page), its entities projected with their relation fields (read_relation) inside;
// before them, the matches of each counted page over a small label (read_matches).
{{calls}}RETURN {{roots}}
