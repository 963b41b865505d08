"""The state of sharing with the partner: what the status line says, and Settings in detail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from companion.sync.problems import Problem
from companion.tui.read.tonight import day_label

if TYPE_CHECKING:
    from companion.service import Session


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

    @property
    def kind(self) -> str:
        """'offline', 'problem', 'waiting' or 'ok' (an unreachable folder comes first: it is
        the one a person can usually fix, and it says why changes wait)."""
        if not self.folder_available:
            return "offline"
        if self.problems or self.error:
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
            return "A problem to look at"
        if kind == "waiting":
            return f"{changes_text(self.waiting)} waiting"
        return "Up to date"


def changes_text(count: int) -> str:
    return f"{count} change" + ("" if count == 1 else "s")


def sync_state(session: Session, result: Any = None, error: str | None = None) -> SyncState:
    """The state after a sync pass (`result`, an engine.SyncResult), or as it stands on disk."""
    if result is not None:
        available, waiting, problems = result.folder_available, result.waiting, result.problems
    else:
        available = session.journal.available()
        waiting = session.replica.outbox_count()
        problems = session.replica.meta("problems", [])
    last = session.replica.meta("last_sync")
    return SyncState(
        shared_folder=str(session.profile.shared_folder),
        folder_available=available,
        waiting=waiting,
        problems=tuple(Problem.from_dict(p) for p in problems),
        last_sync=dt.datetime.fromtimestamp(last / 1000) if last else None,
        error=error,
    )


def when_text(moment: dt.datetime | None, today: dt.date) -> str:
    if moment is None:
        return "not yet"
    return f"{day_label(moment.date(), today)} at {moment:%H:%M}"
