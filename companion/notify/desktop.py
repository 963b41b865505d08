"""Posting through the platform's notification service (D-Bus, macOS, Windows), by way of
`desktop-notifier`; where there is none, saying so instead of failing."""

from __future__ import annotations

import logging
from typing import Any, Protocol

APP_NAME = "companion"
NO_SERVICE = (
    "No desktop notification service answers here (on a server over SSH there is none), so "
    "nothing will pop up; syncing goes on as before."
)


class Poster(Protocol):
    """Somewhere a notification can go."""

    def post(self, title: str, message: str) -> bool:
        """Show one notification; False if no notification service took it."""
        ...


class DesktopPoster:
    """The platform's notification service, opened on first use."""

    def __init__(self) -> None:
        self._notifier: Any = None

    def _open(self) -> Any:
        if self._notifier is None:
            # The library logs each failed post with a traceback; ours says it in words.
            library_log = logging.getLogger("desktop_notifier")
            library_log.addHandler(logging.NullHandler())
            library_log.propagate = False
            from desktop_notifier import DesktopNotifierSync

            self._notifier = DesktopNotifierSync(app_name=APP_NAME, app_icon=None)
        return self._notifier

    def post(self, title: str, message: str) -> bool:
        try:
            notifier = self._open()
        except Exception:  # a platform the library can't serve
            return False
        # The library posts nothing on platforms it can't serve (a dummy centre) and only logs
        # a failed post; a post the service took is reported back as dispatched.
        from desktop_notifier import Notification
        from desktop_notifier.main import get_backend_class

        if get_backend_class().__name__ == "DummyNotificationCenter":
            return False

        taken: list[bool] = []
        try:
            notifier.send_notification(
                Notification(title, message, on_dispatched=lambda: taken.append(True))
            )
        except Exception:
            return False
        return bool(taken)
