"""The embedded backend: SQLite + networkx."""
