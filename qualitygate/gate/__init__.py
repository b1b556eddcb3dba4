"""The gate: figures per layer, rules and verdicts, the ratchet."""
