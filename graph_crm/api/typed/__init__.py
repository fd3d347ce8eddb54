"""The typed part of the schema: for every entity type of the registry, its GraphQL object,
filters, pages and writes, built at runtime when the registry changes (hand-written
builders; see :mod:`graph_crm.model.graphql_names` for the names they give)."""
