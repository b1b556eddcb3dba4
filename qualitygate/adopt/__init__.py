"""Adoption: a proposed config from the folders, TOML editing, the snippets `init` prints.
May import only `errors` and `project`.
"""
