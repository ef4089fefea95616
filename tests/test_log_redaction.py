"""Log records never carry tokens or secrets: token shapes and configured secret values are redacted."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import load_settings
from config.log_redaction import REDACTED, RedactingFilter, install_redaction, secret_values

ROOT = Path(__file__).resolve().parent.parent
SLACK_BOT = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_USER = "xoxp-1234567890-0987654321-1122334455-abcdef0123456789"
SLACK_APP = "xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef0123456789"
DISCORD = "MTA1MjM0NTY3ODkwMTIzNDU2Nzg.GaBcDe.aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
SIGNING = "8f14e45fceea167a5a36dedd4bea2543"
DB_PASSWORD = "hunter2-pg-password"


@pytest.fixture
def capture():
    """A logger whose one handler writes formatted lines to a buffer, like the real handlers do."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logger = logging.getLogger("lighthouse.test.redaction")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield logger, handler, stream
    finally:
        logger.removeHandler(handler)


def configured():
    return load_settings(
        _env_file=None,
        slack_bot_token=SLACK_BOT,
        slack_app_token=SLACK_APP,
        slack_signing_secret=SIGNING,
        discord_token=DISCORD,
        database_url=f"postgresql+asyncpg://lighthouse:{DB_PASSWORD}@db.example.org/lighthouse",
    )


def test_configured_secrets_include_tokens_and_the_database_password():
    values = secret_values(configured())
    assert {SLACK_BOT, SLACK_APP, SIGNING, DISCORD, DB_PASSWORD} <= set(values)


def test_token_shapes_and_secret_values_are_redacted_in_messages_arguments_and_tracebacks(capture):
    logger, handler, stream = capture
    install_redaction(configured(), [handler])
    logger.info("connecting with %s and %s", SLACK_BOT, DISCORD)
    logger.warning(f"user token {SLACK_USER} and signing secret {SIGNING} and app {SLACK_APP}")
    logger.error("db at postgresql://lighthouse:%s@db/lighthouse", DB_PASSWORD)
    logger.debug("header Authorization: Bot %s", "some-opaque-token-value")
    try:
        raise RuntimeError(f"request failed: token={SLACK_BOT}")
    except RuntimeError:
        logger.exception("call failed")
    output = stream.getvalue()
    for secret in (SLACK_BOT, SLACK_USER, SLACK_APP, DISCORD, SIGNING, DB_PASSWORD, "some-opaque-token-value"):
        assert secret not in output
    assert output.count(REDACTED) >= 8
    assert "connecting with" in output and "call failed" in output and "RuntimeError: request failed" in output


def test_unknown_tokens_of_the_known_shapes_are_redacted_without_configuration(capture):
    logger, handler, stream = capture
    handler.addFilter(RedactingFilter())
    other_discord = "OTg3NjU0MzIxMDk4NzY1NDMy.Gh1jK2.zYxWvUtSrQpOnMlKjIhGfEdCbA9876543210"
    logger.info("tokens %s %s %s", "xoxb-999-888-zzzzzzzzzzzz", other_discord, "xoxe.xoxp-1-abcdefghijkl")
    output = stream.getvalue()
    assert "zzzzzzzzzzzz" not in output and other_discord not in output and "abcdefghijkl" not in output


def test_ordinary_messages_are_left_alone(capture):
    logger, handler, stream = capture
    install_redaction(configured(), [handler])
    logger.info("member %s joined event %d (%s)", "alice", 42, "x.y.z")
    assert stream.getvalue() == "lighthouse.test.redaction: member alice joined event 42 (x.y.z)\n"


def test_installing_twice_keeps_one_filter(capture):
    _, handler, _ = capture
    install_redaction(configured(), [handler])
    install_redaction(configured(), [handler])
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1


def test_main_installs_redaction_on_the_real_log_handler(tmp_path):
    """End to end: main.configure_logging, then a library logs a token; stderr shows none of it."""
    code = (
        "import logging, main\n"
        "settings = main.settings_or_exit()\n"
        "main.configure_logging(settings, quiet_console=False)\n"
        "token = settings.slack.bot_token.get_secret_value()\n"
        "logging.getLogger('slack_sdk.web').warning('POST with token %s', token)\n"
        "logging.getLogger('discord.http').error('login failed for %s', " + repr(DISCORD) + ")\n"
    )
    env = {
        **os.environ,
        "LIGHTHOUSE_SLACK_BOT_TOKEN": SLACK_BOT,
        "LIGHTHOUSE_DISCORD_TOKEN": DISCORD,
        "LIGHTHOUSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        "COLUMNS": "300",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "POST with token" in result.stderr and "login failed for" in result.stderr
    assert SLACK_BOT not in result.stderr and DISCORD not in result.stderr
    assert REDACTED in result.stderr


def test_settings_repr_hides_every_secret_including_the_database_password():
    settings = configured()
    for text in (repr(settings), str(settings)):
        for secret in (SLACK_BOT, SLACK_APP, SIGNING, DISCORD, DB_PASSWORD):
            assert secret not in text
        assert "lighthouse:***@db.example.org" in text
    assert settings.database_url.endswith(f":{DB_PASSWORD}@db.example.org/lighthouse")  # the value itself is intact
