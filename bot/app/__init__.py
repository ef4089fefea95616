"""The bot as one object: the composition root (`core.Lighthouse`), the router, the catalogue of features
and the general commands (help, more, quit)."""
