"""Measuring the tests: the run under coverage with test contexts, reading coverage data.
May import `project`, `model`, `errors`, `process` and `progress`.
"""
