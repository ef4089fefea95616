"""Open a page in headless Chromium and report what a person (and its console) would see.

Talks to Chromium over the DevTools protocol on a loopback websocket: console messages, uncaught
exceptions, log entries (failed loads, blocked content) and every network request the page made.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)


def chromium_path() -> str:
    """The browser, or a skip (a failure when CI is set: there the browser must be installed)."""
    found = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "Chromium is not installed (scripts/ensure-chromium.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@dataclass
class PageVisit:
    errors: list[str] = field(default_factory=list)  # console errors, exceptions, error log entries
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    title: str = ""
    facts: dict = field(default_factory=dict)  # results of the probe expression
    screenshot: bytes = b""


class _DevTools:
    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future] = {}
        self.events: asyncio.Queue = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self.pending:
                self.pending.pop(data["id"]).set_result(data)
            elif "method" in data:
                await self.events.put(data)

    async def call(self, method: str, **params: object) -> dict:
        number = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        self.pending[number] = future
        await self.socket.send_json({"id": number, "method": method, "params": params})
        answer = await asyncio.wait_for(future, 30)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result", {})


def _describe(event: dict) -> str | None:
    method, params = event["method"], event.get("params", {})
    if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert", "warning"}:
        texts = [str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])]
        return f"console.{params['type']}: {' '.join(texts)}"
    if method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        return "exception: " + str(details.get("exception", {}).get("description") or details.get("text"))
    if method == "Log.entryAdded" and params.get("entry", {}).get("level") in {"error", "warning"}:
        entry = params["entry"]
        return f"log {entry['level']} ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip()
    return None


async def visit(page: Path, probe: str = "({})") -> PageVisit:
    """Load `page` from disk, wait for it to finish, run the `probe` JavaScript expression, take a screenshot."""
    browser = chromium_path()
    with tempfile.TemporaryDirectory(prefix="lighthouse-chromium-") as profile:
        process = await asyncio.create_subprocess_exec(
            browser, *FLAGS, f"--user-data-dir={profile}", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        drain = None
        try:
            port, drain = await _devtools_port(process)
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{port}/json/list") as response:
                    targets = await response.json(content_type=None)
                target = next(t for t in targets if t.get("type") == "page")
                async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as socket:
                    return await _load(_DevTools(socket), page, probe)
        finally:
            if process.returncode is None:
                process.kill()
            await process.wait()
            if drain is not None:
                drain.cancel()


async def _devtools_port(process: asyncio.subprocess.Process) -> tuple[int, asyncio.Task]:
    """The port from Chromium's "DevTools listening on ws://127.0.0.1:PORT/..." line; stderr keeps draining."""
    assert process.stderr is not None
    while True:
        line = (await asyncio.wait_for(process.stderr.readline(), 30)).decode(errors="replace")
        if not line:
            raise RuntimeError(f"chromium exited with {await process.wait()} before DevTools started")
        if "DevTools listening on ws://" in line:
            port = int(line.split("ws://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
            return port, asyncio.create_task(_drain(process.stderr))


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.read(65536):
        pass


def _take(visit_result: PageVisit, event: dict) -> None:
    if event["method"] == "Network.requestWillBeSent":
        visit_result.requests.append(event["params"]["request"]["url"])
    elif (problem := _describe(event)) is not None:
        visit_result.errors.append(problem)


async def _load(devtools: _DevTools, page: Path, probe: str) -> PageVisit:
    visit_result = PageVisit()
    for domain in ("Page", "Runtime", "Log", "Network"):
        await devtools.call(f"{domain}.enable")
    await devtools.call("Page.navigate", url=page.resolve().as_uri())
    while True:
        try:
            event = await asyncio.wait_for(devtools.events.get(), 30)
        except TimeoutError:
            raise RuntimeError("the page did not finish loading within 30 seconds") from None
        if event["method"] == "Page.loadEventFired":
            break
        _take(visit_result, event)
    evaluated = await devtools.call("Runtime.evaluate", expression=probe, returnByValue=True)
    if "exceptionDetails" in evaluated:
        visit_result.errors.append(f"probe failed: {evaluated['exceptionDetails'].get('text')}")
    visit_result.facts = evaluated.get("result", {}).get("value") or {}
    title = await devtools.call("Runtime.evaluate", expression="document.title", returnByValue=True)
    visit_result.title = title["result"]["value"]
    shot = await devtools.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    visit_result.screenshot = base64.b64decode(shot["data"])
    # Replies come in order after the events sent before them: whatever the page did is queued by now.
    while not devtools.events.empty():
        _take(visit_result, devtools.events.get_nowait())
    devtools.reader.cancel()
    return visit_result
