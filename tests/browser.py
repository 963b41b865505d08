"""A browser tab on `companion serve`, read as a person reads it: headless Chromium
(Playwright, Debian's chromium) shows the app, and a small terminal emulator (pyte) reads
back what the app drew, so that a test can see words and click on them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 60_000


def need_chromium() -> None:
    """Fail under CI (it installs chromium), skip on a developer's machine without it."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
        import pyte  # noqa: F401
    except ImportError as exc:
        missing.append(f"{exc.name} (pip install -e '.[test]')")
    if missing:
        message = "the browser tests need " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class Tab:
    """One tab with the app open: what it shows (as text), keys, and clicks on words."""

    def __init__(self, browser: Any, url: str) -> None:
        import pyte

        self.page = browser.new_page(viewport={"width": 1100, "height": 700})
        self.requests: list[str] = []
        self.socket_urls: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.page.on("websocket", self._socket)
        self.page.goto(url)

    def _socket(self, socket: Any) -> None:
        self.socket_urls.append(socket.url)
        size = re.search(r"width=(\d+)&height=(\d+)", socket.url)
        if size:
            self.screen.resize(int(size[2]), int(size[1]))

        def received(data: Any) -> None:
            if isinstance(data, bytes):
                self.stream.feed(data)

        def sent(data: Any) -> None:
            try:
                kind, body = json.loads(data)[:2]
            except (ValueError, TypeError):
                return
            if kind == "resize":
                self.screen.resize(body["height"], body["width"])

        socket.on("framereceived", received)
        socket.on("framesent", sent)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def find(self, words: str, *, row_with: str | None = None) -> tuple[int, int] | None:
        """Where the app shows `words`; with `row_with`, on the line that shows it or the
        line below (a list's row may take two lines: its title, then its details and links)."""
        display = self.screen.display
        for row, line in enumerate(display):
            if row_with is not None and row_with not in line:
                continue
            candidates = [row] if row_with is None else [row, row + 1]
            for at in candidates:
                if at < len(display) and (col := display[at].find(words)) >= 0:
                    return at, col
        return None

    def see_in_row(self, row_with: str, words: str, timeout_ms: int = WAIT_MS) -> None:
        """Wait until the row that shows `row_with` shows `words` too."""
        waited = 0
        while self.find(words, row_with=row_with) is None:
            if waited >= timeout_ms:
                raise AssertionError(f"{row_with!r} never showed {words!r}:\n{self.text()}")
            self.page.wait_for_timeout(100)
            waited += 100

    def see(self, words: str, timeout_ms: int = WAIT_MS) -> None:
        """Wait until the app shows `words` (the browser's events are read while waiting)."""
        waited = 0
        while self.find(words) is None:
            if waited >= timeout_ms:
                raise AssertionError(f"the tab never showed {words!r}; it shows:\n{self.text()}")
            self.page.wait_for_timeout(100)
            waited += 100

    def gone(self, words: str, timeout_ms: int = WAIT_MS) -> None:
        """Wait until the app no longer shows `words`."""
        waited = 0
        while self.find(words) is not None:
            if waited >= timeout_ms:
                raise AssertionError(f"the tab still shows {words!r}:\n{self.text()}")
            self.page.wait_for_timeout(100)
            waited += 100

    def press_until(self, key: str, words: str, tries: int = 3) -> None:
        """Press a key that is harmless to repeat until the app shows `words` (a key that
        arrives while a screen is still being switched to may reach no widget)."""
        for _ in range(tries - 1):
            self.page.keyboard.press(key)
            try:
                self.see(words, timeout_ms=5_000)
                return
            except AssertionError:
                continue
        self.page.keyboard.press(key)
        self.see(words)

    def click(self, words: str, *, row_with: str | None = None) -> None:
        """Click the middle of the first letter of `words` where the app shows it."""
        self.see(words if row_with is None else row_with)
        found = self.find(words, row_with=row_with)
        assert found is not None, f"{words!r} not shown:\n{self.text()}"
        row, col = found
        box = self.page.locator(".xterm-screen").bounding_box()
        assert box is not None
        x = box["x"] + (col + 0.5) * box["width"] / self.screen.columns
        y = box["y"] + (row + 0.5) * box["height"] / self.screen.lines
        self.page.mouse.click(x, y)

    def off_this_computer(self, port: int) -> list[str]:
        """Every request the tab made to anywhere but this server."""
        return [
            url
            for url in self.requests
            if (urlsplit(url).scheme, urlsplit(url).hostname, urlsplit(url).port)
            not in {("http", "127.0.0.1", port), ("ws", "127.0.0.1", port)}
        ]
