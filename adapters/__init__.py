"""Platform adapters: translate platform events into core messages and core replies into platform output."""
