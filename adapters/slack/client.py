"""The Slack Web API client: base URL from the settings, HTTP 429 retried after Retry-After."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from config import Settings

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
DEFAULT_RETRY_AFTER = 1.0


def retry_after_seconds(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return DEFAULT_RETRY_AFTER


class RateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, waiting exactly what Retry-After says, through an injectable `sleep`
    (tests pass one that records the wait instead of waiting)."""

    def __init__(self, max_retry_count: int = 3, sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        wait = retry_after_seconds(response)
        log.info("Slack rate limit on %s; retrying in %.0f s", request.url.rsplit("/", 1)[-1], wait)
        state.next_attempt_requested = True
        await self.sleep(wait)
        state.increment_current_attempt()


def build_client(settings: Settings, *, sleep: Sleep = asyncio.sleep) -> AsyncWebClient:
    token = settings.slack.bot_token.get_secret_value() if settings.slack.bot_token else None
    handlers: list[AsyncRetryHandler] = [AsyncConnectionErrorRetryHandler(), RateLimitRetryHandler(sleep=sleep)]
    kwargs = {"base_url": api_base_url(settings.slack.api_url)} if settings.slack.api_url else {}
    return AsyncWebClient(token=token, retry_handlers=handlers, **kwargs)


def api_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"
