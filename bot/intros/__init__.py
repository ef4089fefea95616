"""Introductions: brokered with consent on both sides, then followed up."""
