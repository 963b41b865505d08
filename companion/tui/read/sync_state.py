"""The state of sharing with the partner: what the status line says, and Settings in detail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from companion.service import Problem, Session, SyncResult
from companion.tui.read.tonight import day_label


@dataclass(frozen=True)
class SyncState:
    """What the status line says about sharing with the partner, and Settings in detail."""

    shared_folder: str = ""
    folder_available: bool = True
    waiting: int = 0
    problems: tuple[Problem, ...] = ()
    last_sync: dt.datetime | None = None
    # A sync pass that failed outright (not a problem with one file): its message.
    error: str | None = None
    # Another device's clock far from ours (ClockSkew.message and .hint), if so.
    clock: tuple[str, str] | None = None

    @property
    def kind(self) -> str:
        """'offline', 'problem', 'waiting' or 'ok' (an unreachable folder comes first: it is
        the one a person can usually fix, and it says why changes wait)."""
        if not self.folder_available:
            return "offline"
        if self.problems or self.error or self.clock:
            return "problem"
        return "waiting" if self.waiting else "ok"

    @property
    def text(self) -> str:
        kind = self.kind
        if kind == "offline":
            if not self.waiting:
                return "Shared folder not reachable"
            return f"{changes_text(self.waiting)} waiting (shared folder not reachable)"
        if kind == "problem":
            if self.clock and not (self.problems or self.error):
                return "Check the date and time"
            return "A problem to look at"
        if kind == "waiting":
            return f"{changes_text(self.waiting)} waiting"
        return "Up to date"


def changes_text(count: int) -> str:
    return f"{count} change" + ("" if count == 1 else "s")


def sync_state(
    session: Session, result: SyncResult | None = None, error: str | None = None
) -> SyncState:
    """The state after a sync pass (`result`), or as it stands on disk."""
    if result is not None:
        available, waiting = result.folder_available, result.waiting
        problems = [Problem.from_dict(p) for p in result.problems]
    else:
        available, waiting, problems = (
            session.folder_available(),
            session.waiting(),
            session.problems(),
        )
    last = session.last_sync()
    skew = session.clock_skew()
    return SyncState(
        shared_folder=str(session.shared_folder),
        folder_available=available,
        waiting=waiting,
        problems=tuple(problems),
        last_sync=dt.datetime.fromtimestamp(last / 1000) if last else None,
        error=error,
        clock=None if skew is None else (skew.message, skew.hint),
    )


def when_text(moment: dt.datetime | None, today: dt.date) -> str:
    if moment is None:
        return "not yet"
    return f"{day_label(moment.date(), today)} at {moment:%H:%M}"
