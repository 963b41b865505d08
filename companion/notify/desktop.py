"""Posting through the platform's notification service (D-Bus, macOS, Windows), by way of
`desktop-notifier`; where there is none, saying so instead of failing. Clicking a
notification, where the platform tells us, opens companion in a terminal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Protocol

APP_NAME = "companion"
NO_SERVICE = (
    "No desktop notification service answers here (on a server over SSH there is none), so "
    "nothing will pop up; syncing goes on as before."
)
# How long one post may take before it counts as not taken (a bus that hangs).
POST_TIMEOUT_S = 15
# Terminals that run a command given after `-e` (the first one found is used).
TERMINALS = ("x-terminal-emulator", "xdg-terminal-exec", "gnome-terminal", "konsole", "xterm")


class Poster(Protocol):
    """Somewhere a notification can go."""

    def post(self, title: str, message: str) -> bool:
        """Show one notification; False if no notification service took it."""
        ...


def companion_command() -> list[str]:
    """How this installation starts the app."""
    script = Path(sys.executable).parent / "companion"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "companion"]


def terminal_command() -> list[str] | None:
    """A command that opens companion in a new terminal window, if this system has one."""
    if sys.platform == "darwin":
        return ["open", "-a", "Terminal", companion_command()[0]]
    chosen = os.environ.get("TERMINAL")
    for name in ([chosen] if chosen else []) + list(TERMINALS):
        found = shutil.which(name)
        if found:
            joiner = "--" if Path(found).name == "gnome-terminal" else "-e"
            return [found, joiner, *companion_command()]
    return None


def open_companion() -> None:
    """Open the app in a terminal of its own (a click on a notification)."""
    command = terminal_command()
    if command is None:
        return
    # Nothing to open it with is no failure: the notification was the message.
    with contextlib.suppress(OSError):
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


class DesktopPoster:
    """The platform's notification service, opened on first use. Its own event loop runs
    in a background thread, so a click on a notification is heard while `watch` waits."""

    def __init__(self) -> None:
        self._notifier: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _open(self) -> Any:
        if self._notifier is None:
            # The library logs each failed post with a traceback; ours says it in words.
            library_log = logging.getLogger("desktop_notifier")
            library_log.addHandler(logging.NullHandler())
            library_log.propagate = False
            from desktop_notifier import DesktopNotifier

            self._loop = asyncio.new_event_loop()
            threading.Thread(
                target=self._loop.run_forever, name="notifications", daemon=True
            ).start()
            self._notifier = DesktopNotifier(app_name=APP_NAME, app_icon=None)
        return self._notifier

    def post(self, title: str, message: str) -> bool:
        try:
            from desktop_notifier import Notification
            from desktop_notifier.main import get_backend_class

            # Where the library can't post (macOS outside an app bundle, for one) it keeps
            # a stand-in that shows nothing.
            if get_backend_class().__name__ == "DummyNotificationCenter":
                return False
            notifier = self._open()
        except Exception:  # a platform the library can't serve
            return False
        assert self._loop is not None
        # The library only logs a failed post; a post the service took is reported back.
        taken = threading.Event()
        notification = Notification(
            title, message, on_dispatched=taken.set, on_clicked=open_companion
        )
        try:
            future = asyncio.run_coroutine_threadsafe(
                notifier.send_notification(notification), self._loop
            )
            future.result(POST_TIMEOUT_S)
        except Exception:
            return False
        return taken.is_set()
