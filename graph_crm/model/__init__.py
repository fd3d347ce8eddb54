"""The pure metamodel: names, types, values, records, registry, queries. No IO."""
