"""Log records never carry tokens or secrets.

A filter on every log handler rewrites each record before it is formatted: Slack and Discord token
shapes, and the exact values of the configured secrets (tokens, signing secret, the database password),
are replaced by a marker. Exception text is redacted too, since a failed request often quotes its URL
or headers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from sqlalchemy.engine import make_url

from config.settings import Settings

REDACTED = "[redacted]"
# Shorter configured values are not redacted by value: they would blank out ordinary words.
MIN_SECRET_CHARS = 6

TOKEN_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Slack: bot, user, app-level, configuration and refresh tokens.
    re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{6,}"),
    re.compile(r"\bxoxe\.xox[bp]-[A-Za-z0-9-]{6,}"),
    re.compile(r"\bxapp-[A-Za-z0-9-]{6,}"),
    # Discord bot token: base64 user id, a timestamp part and an HMAC part, separated by dots.
    re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"),
    # An Authorization header, whatever the token looks like.
    re.compile(r"(?i)(?<=authorization: )(?:bot|bearer) \S+"),
)


def secret_values(settings: Settings) -> list[str]:
    """The configured secrets: every SecretStr setting (also in the platforms' sections), and the database
    URL's password."""
    values: list[str] = []
    for section in (settings, settings.slack, settings.discord, settings.console):
        for name in type(section).model_fields:
            value = getattr(section, name)
            if hasattr(value, "get_secret_value"):
                values.append(value.get_secret_value())
    try:
        password = make_url(settings.database_url).password
    except Exception:  # a malformed URL never gets this far; be safe anyway
        password = None
    if password:
        values.append(str(password))
    return [v for v in values if v and len(v) >= MIN_SECRET_CHARS]


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is replaced whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for pattern in TOKEN_PATTERNS:
            text = pattern.sub(REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is, still redacted
            message = f"{record.msg} {record.args}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info:
            # Format the traceback now, redacted; handlers then print this text instead of the live exception.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install_redaction(settings: Settings, handlers: Iterable[logging.Handler] | None = None) -> RedactingFilter:
    """Add one redacting filter to the given handlers (by default, every handler of the root logger)."""
    redactor = RedactingFilter(secret_values(settings))
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        for existing in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(existing)
        handler.addFilter(redactor)
    return redactor
