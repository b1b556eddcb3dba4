"""What the project is: its config, layers, git history, the change, its files."""
