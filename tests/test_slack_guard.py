"""Malformed requests to /slack/events get a 4xx and at most one WARNING line per kind per minute; the
signature is checked on the raw bytes before anything is parsed."""

from __future__ import annotations

import json
import logging
import time

import pytest

from adapters.slack.guard import LogLimiter
from tests.slack_support import sign

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

MALFORMED = [
    ("invalid JSON", b'{"type": "event_callback", ', JSON),
    ("a JSON array", b'[{"type": "event_callback"}]', JSON),
    ("a payload that is not JSON", b"payload=%7Bnot-json", FORM),
    ("a payload that is a JSON array", b"payload=%5B1%2C2%5D", FORM),
    ("bytes that are not UTF-8", b'{"type": "\xff\xfe"}', JSON),
    ("a JSON number", b"42", JSON),
]


def errors_in(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize(("what", "body", "content_type"), MALFORMED, ids=[m[0] for m in MALFORMED])
async def test_a_malformed_body_gets_a_4xx_and_no_error_signed_or_not(slack, fake_slack, caplog, what, body, content_type):
    caplog.set_level(logging.INFO)
    signed = await slack.send(body, content_type)
    unsigned = await slack.send(body, content_type, signature="v0=" + "0" * 64)
    assert 400 <= signed.status < 500 and signed.status != 401, what  # signed: refused for its body
    assert unsigned.status == 401, what  # unsigned: refused before the body is even decoded
    assert errors_in(caplog) == [] and "Traceback" not in caplog.text
    assert fake_slack.calls == [] and slack.adapter.stats["handled"] == 0


@pytest.mark.parametrize("timestamp", ["soon", "12.5", "", "1e9", "-5", "٣٤٥"])
async def test_a_timestamp_that_is_not_a_whole_number_gets_a_4xx(slack, caplog, timestamp):
    body = slack.command_body("help")
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": sign(body, 0)}
    async with slack.session.post(slack.url, data=body, headers=headers) as response:
        assert 400 <= response.status < 500
    assert errors_in(caplog) == []


async def test_missing_signature_headers_get_401(slack, caplog):
    async with slack.session.post(slack.url, data=b'{"type": "event_callback"}', headers={"Content-Type": JSON}) as response:
        assert response.status == 401
    assert errors_in(caplog) == []


async def test_app_rate_limited_gets_200_and_a_log_line(slack, caplog):
    caplog.set_level(logging.INFO)
    notice = {"token": "x", "type": "app_rate_limited", "team_id": "T0001", "minute_rate_limited": 1518467820,
              "api_app_id": "A0001"}
    sent = await slack.send(json.dumps(notice).encode(), JSON)
    assert sent.status == 200
    assert "rate limited" in caplog.text and errors_in(caplog) == []


async def test_a_flood_of_bad_requests_logs_one_line_per_kind(slack, caplog):
    caplog.set_level(logging.INFO)
    for _ in range(30):
        assert (await slack.send(b"[1]", JSON)).status == 400
        assert (await slack.send(b"payload=%7Bnot-json", FORM)).status == 400
        assert (await slack.send(b"{}", JSON, signature="v0=" + "1" * 64)).status == 401
    refusals = [r for r in caplog.records if r.name == "adapters.slack.app"]
    assert len(refusals) == 3 and all(r.levelno == logging.WARNING for r in refusals)
    assert slack.adapter.limited_log.left_out == {"not-an-object": 29, "bad-json": 29, "bad-signature": 29}


async def test_good_requests_still_work_after_bad_ones(slack, fake_slack):
    assert (await slack.send(b"[1]", JSON)).status == 400
    assert (await slack.command("help")).status == 200
    await slack.handled(1)
    assert len(fake_slack.to("response_url")) == 1


def test_the_log_limiter_lets_one_line_per_kind_through_each_interval(caplog):
    now = [1000.0]
    limiter = LogLimiter(logging.getLogger("test.limiter"), interval=60, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="test.limiter"):
        assert limiter.log(logging.WARNING, "a", "first a")
        assert not limiter.log(logging.WARNING, "a", "second a")
        assert limiter.log(logging.WARNING, "b", "first b")
        now[0] += 61
        assert limiter.log(logging.WARNING, "a", "third a")
    assert [r.getMessage() for r in caplog.records] == [
        "first a", "first b", "third a (1 more like it in the last 60 s not logged)",
    ]


def test_signatures_are_checked_against_the_raw_bytes():
    from adapters.slack.guard import check_signature

    body = b'{"type": "\xff"}'
    now = int(time.time())
    headers = {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": sign(body, now)}
    assert check_signature(body, headers, "test-signing-secret", now) is None
    assert check_signature(body + b" ", headers, "test-signing-secret", now).status == 401
    assert check_signature(body, headers, "test-signing-secret", now + 301).kind == "stale"
