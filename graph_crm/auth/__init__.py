"""Who may do what: API keys, roles and the permission every root field needs (pure)."""
