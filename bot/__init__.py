"""The platform-neutral core: message model, router, commands and services."""
