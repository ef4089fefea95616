"""Digests: what was new and what is coming, posted per channel and period exactly once."""
