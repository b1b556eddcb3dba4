"""Adoption: scaffolding a config, editing TOML, the snippets `init` prints."""
