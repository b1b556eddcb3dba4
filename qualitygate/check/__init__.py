"""The `check` pipeline (diff to verdict), its per-file results, sharding and merging.
May import the stages (`project`, `measure`, `mutation`, `gate`) and `reporters`; never `report`.
"""
