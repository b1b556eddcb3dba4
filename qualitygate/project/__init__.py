"""What the project is: config, layers, git, the change (diff), its source and test files.
May import only `errors` and `model`; every other folder may import it.
"""
