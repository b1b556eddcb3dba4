"""The `check` pipeline and its sharding and merging."""
