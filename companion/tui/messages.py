"""Messages the app's parts send it: how the space opened, and how each sync pass went.

Plain classes, not dataclasses: this module loads on the way to the first paint, where defining
a dataclass costs start-up time. Messages that a single screen or widget sends to itself stay
defined on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from companion.service import Session, SyncResult
    from companion.tui.prefetch import Opened
    from companion.tui.read import sync_state as data


class SessionOpened(Message):
    """The space is open (set up, unlocked, or opened without asking): the app shows it.

    `theme` is the one chosen on this device (read with the session, off the loop).
    """

    def __init__(self, session: Session, theme: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.theme = theme


class Prefetched(Message):
    """The start-up helper's reading came in after the app had started."""

    def __init__(self, opened: Opened) -> None:
        super().__init__()
        self.opened = opened


class Attached(Message):
    """This process's own session is open (after Tonight was painted from the helper's)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session


class NotOpened(Message):
    """It didn't: the unlock screen asks, saying why if there was a reason."""

    def __init__(self, error: Exception | None) -> None:
        super().__init__()
        self.error = error


class Synced(Message):
    """A sync pass went through: what it did, the status line after it, what arrived."""

    def __init__(self, result: SyncResult, state: data.SyncState, arrived: str | None) -> None:
        super().__init__()
        self.result = result
        self.state = state
        self.arrived = arrived


class SyncFailed(Message):
    """A sync pass failed; `state` is the status line after it, if it could be read."""

    def __init__(self, error: Exception, state: data.SyncState | None) -> None:
        super().__init__()
        self.error = error
        self.state = state


class StateRead(Message):
    """The status line as it is on disk, before the first pass."""

    def __init__(self, state: data.SyncState) -> None:
        super().__init__()
        self.state = state


# What a sync worker reports back (tui/sync_loop.py).
SyncReport = Synced | SyncFailed | StateRead
