"""Renderers of a report, one module per format (`text` holds their shared wording).
May import `report.model`, `project` and `reporters`' shared modules; never `reporters.check`.
"""
