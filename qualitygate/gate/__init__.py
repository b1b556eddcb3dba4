"""The gate: figures per layer, rules and verdicts (pure), and the ratchet baseline.
May import `project`, `model` and `errors`.
"""
