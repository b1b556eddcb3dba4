"""The `report` pipeline (whole-repository gap report) and its model."""
