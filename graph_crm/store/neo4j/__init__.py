"""The Neo4j backend: official async driver, queries in cypher/."""
