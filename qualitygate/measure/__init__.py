"""Measuring the tests: the run under coverage and reading coverage data."""
