"""Renderers of a check result, one module per format."""
