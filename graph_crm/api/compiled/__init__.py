"""Whole GraphQL queries compiled into one store read (docs/api.md, "Compiled reads")."""
