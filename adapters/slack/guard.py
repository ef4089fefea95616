"""Checks on a raw HTTP request to /slack/events before slack-bolt sees it.

Order matters: the signature and its timestamp are checked on the raw bytes first, so that nothing from an
unsigned sender is even decoded; only then is the body decoded and parsed the way bolt will parse it. Any
failure is a 4xx with a short reason, never an exception: bolt would answer 500 and log a traceback for a
body it cannot parse. Rejections are logged through `LogLimiter`, at most one line per kind per minute, so
that a flood of bad requests cannot fill the log.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.request.internals import parse_body

MAX_AGE_SECONDS = 5 * 60  # Slack's rule: older signed requests may be replays
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class Rejection:
    status: int
    kind: str  # one word per kind of problem, for the log and its rate limit
    reason: str  # the response text: what was wrong, never what was sent


def check_signature(raw: bytes, headers: Mapping[str, str], secret: str, now: float) -> Rejection | None:
    """Slack's v0 signature: HMAC-SHA256 of "v0:<timestamp>:<raw body>" with the signing secret."""
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if not timestamp or not signature:
        return Rejection(401, "unsigned", "missing X-Slack-Signature or X-Slack-Request-Timestamp")
    if not _TIMESTAMP.fullmatch(timestamp):
        return Rejection(400, "bad-timestamp", "X-Slack-Request-Timestamp is not a Unix time")
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return Rejection(401, "stale", "the request timestamp is more than five minutes away from now")
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return Rejection(401, "bad-signature", "invalid signature")
    return None


def parse_signed_body(raw: bytes, content_type: str | None) -> tuple[str, dict[str, Any]] | Rejection:
    """The body as text and as the dict bolt will read; a Rejection when it is neither."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Rejection(400, "not-utf8", "the body is not UTF-8")
    try:
        body = parse_body(text, content_type)
    except ValueError:  # json.JSONDecodeError, including a `payload=` field that is not JSON
        return Rejection(400, "bad-json", "the body (or its payload field) is not valid JSON")
    if not isinstance(body, dict):
        return Rejection(400, "not-an-object", "the body (or its payload field) is not a JSON object")
    return text, body


class LogLimiter:
    """At most one log line per kind per interval; the next line says how many were left out meanwhile."""

    def __init__(
        self, logger: logging.Logger, *, interval: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.logger = logger
        self.interval = interval
        self.clock = clock
        self._last: dict[str, float] = {}
        self.left_out: Counter[str] = Counter()

    def log(self, level: int, kind: str, message: str, *args: object) -> bool:
        now = self.clock()
        last = self._last.get(kind)
        if last is not None and now - last < self.interval:
            self.left_out[kind] += 1
            return False
        self._last[kind] = now
        skipped = self.left_out.pop(kind, 0)
        if skipped:
            message += f" ({skipped} more like it in the last {self.interval:.0f} s not logged)"
        self.logger.log(level, message, *args)
        return True

