"""One module per subcommand, each a `run(args) -> int`; `options` holds shared flags.
May import any folder; only `main` imports it.
"""
