"""The `report` pipeline (every module's test gaps), its model and its rules.
May import the stages (`project`, `measure`, `gate`); never `check` or `reporters`.
"""
