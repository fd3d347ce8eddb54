"""Impact propagation: policies, the rows a backend evaluates, ranking and reports (pure)."""
