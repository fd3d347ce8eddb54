"""The typed part of the schema, generated from the registry (see
:mod:`graph_crm.model.graphql_names`)."""
