"""The unlocked Session, shared by the app's worker threads one at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from companion.tui.read import tonight

if TYPE_CHECKING:
    from companion.service import Session

TURN_TIMEOUT = 30.0
# A screen's data is read again at least this often (seconds) when it is shown: what is due,
# and when a pause or an evening ends, follow the clock, not a change.
FRESH_SECONDS = 900


class Backend:
    """Owns the Session for the app's lifetime and serialises access to it.

    Workers run in threads and the replica is not built for concurrent use, so every read,
    write and sync pass holds the lock while it touches the session. Changes also take a
    ticket on the event loop when the person acts, and run in ticket order, so two quick
    key presses land in the order they were made.
    """

    def __init__(self, session: Session | None, seen_since: tonight.Since | None = None) -> None:
        """`session` None: it is still opening (attach() or fail() tells how that went);
        until then, whoever asks for it waits."""
        self._session = session
        self._opened = threading.Event()
        self._error: Exception | None = None
        # Whether the session is on its way (or here): set by whoever opens it.
        self.opening = session is not None
        if session is not None:
            self._opened.set()
        self._lock = threading.RLock()
        self._turn = threading.Condition()
        self._issued = 0
        self._serving = 0
        # This device's "seen until" stamp as it was when the app opened: what arrived after
        # it stays "new" on screen for this whole run, though it is marked seen once shown.
        self._seen_since = seen_since
        # The stamp last marked seen in this run (kept on the event loop).
        self.marked_seen = ""
        # This device's copy on disk as the app last left it (Session.copy_stamp).
        self.copy_stamp: tuple[tuple[str, int, int], ...] = ()
        # Turns that changed the copy: `edits` any change, `marks` only notes read or what
        # arrived seen (quiet turns), which only screens that show what is new depend on.
        self.edits = 0
        self.marks = 0
        # Turns taken so far: a read's place among them (an older read never covers a newer).
        self.turns = 0
        self._turn_quiet = False
        self._turn_before: tuple[tuple[str, int, int], ...] = ()
        self.changed_elsewhere = False
        # Sync passes that brought something (kept on the event loop): screens kept aside
        # read again when next shown, whatever the files say.
        self.passes = 0

    def attach(self, session: Session) -> None:
        self._session = session
        self._opened.set()

    def fail(self, error: Exception) -> None:
        self._error = error
        self._opened.set()

    def settled(self, *, wait: bool) -> bool:
        """Whether the session is open (waiting for it first, if `wait`)."""
        if wait:
            self._opened.wait(TURN_TIMEOUT)
        return self._opened.is_set() and self._session is not None

    def seen_since(self, session: Session) -> tonight.Since:
        """What counts as new in this run: after the marker as it was at the first look."""
        if self._seen_since is None:
            self._seen_since = tonight.seen_since(session)
        return self._seen_since

    def freshness(self, shows_read: bool = False, *, in_turn: bool = False) -> tuple:
        """What a screen's data is as fresh as: the app's changes to the copy (and, for a
        screen that shows what is new, `shows_read`, its marks of notes read), the sync
        passes that brought something, and the clock's quarter hour. The same at a screen's
        return: nothing to read again. `in_turn`: asked within a turn, which counts a change
        the turn has made already."""
        edits, marks = self.edits, self.marks
        if in_turn and self._session and self._session.copy_stamp() != self._turn_before:
            if self._turn_quiet:
                marks += 1
            else:
                edits += 1
        quarter = int(time.time() // FRESH_SECONDS)
        return (edits, marks if shows_read else None, self.passes, quarter)

    def ticket(self) -> int:
        """A place in line for one change; take it on the event loop, in the order of acts."""
        ticket = self._issued
        self._issued += 1
        return ticket

    @contextmanager
    def session(self, ticket: int | None = None, *, quiet: bool = False) -> Iterator[Session]:
        """The session, exclusively; with a ticket, only once every earlier change is done.
        `quiet`: the turn only marks notes read or what arrived seen (see freshness)."""
        if not self._opened.wait(TURN_TIMEOUT) or self._session is None:
            raise self._error or RuntimeError("the space took too long to open")
        if ticket is not None:
            with self._turn:
                # Bounded: a change that never ran must not hold the others forever.
                self._turn.wait_for(lambda: self._serving >= ticket, timeout=TURN_TIMEOUT)
        try:
            with self._lock:
                self.turns += 1
                before = self._session.copy_stamp()
                # a change from another process since the app last looked is kept in mind,
                # though this turn's own writes change the stamp again
                if self.copy_stamp and before != self.copy_stamp:
                    self.changed_elsewhere = True
                    self.edits += 1
                self._turn_before, self._turn_quiet = before, quiet
                try:
                    yield self._session
                finally:
                    # what the app itself left on disk: a later difference is another
                    # process's
                    self.copy_stamp = after = self._session.copy_stamp()
                    if after != before:
                        if quiet:
                            self.marks += 1
                        else:
                            self.edits += 1
        finally:
            if ticket is not None:
                with self._turn:
                    self._serving = max(self._serving, ticket + 1)
                    self._turn.notify_all()
