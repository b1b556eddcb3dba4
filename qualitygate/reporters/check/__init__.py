"""Renderers of a check result, one module per format (`summary` and `findings` are shared).
May import `model`, `mutation.model` and `reporters`' shared modules; never `reporters.report`.
"""
