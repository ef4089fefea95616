"""Configuration: every setting comes from LIGHTHOUSE_* environment variables or a .env file."""

from config.settings import Settings, SettingsError, load_settings

__all__ = ["Settings", "SettingsError", "load_settings"]
