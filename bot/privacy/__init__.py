"""Privacy: consent, export and erasure of a member's data."""
