"""Search: find, pilots, experts and match me over the knowledge base."""
