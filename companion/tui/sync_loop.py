"""Keeping in sync with the partner: the folder watcher, the sync passes, the status line.

The passes run in the app's workers and report back with messages (messages.py) that the app
hands to this loop; the loop tells the person what changed.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerState

from companion.tui.messages import StateRead, Synced, SyncFailed, SyncReport
from companion.tui.screens.base import PracticeScreen

if TYPE_CHECKING:
    from pathlib import Path

    from companion.service import Session, SyncResult
    from companion.tui.protocol import CompanionAppType
    from companion.tui.read import sync_state as data

# With the watcher on, a pass this often is only a backstop for events that never came.
SYNC_SECONDS = 20.0
# The watcher's own timeout: how soon it notices that the app is closing, at worst.
WATCH_TIMEOUT_MS = 2000


class SyncLoop:
    """One sync pass at a time (another right after, if asked meanwhile), a pass whenever the
    partner's files land, and the app's `sync_state` kept as the status line shows it."""

    def __init__(self, app: CompanionAppType) -> None:
        self.app = app
        self._syncing = False
        self._sync_again = False
        self._folder_ok = True
        self._last_sync_error: str | None = None
        self._problems_seen: set[tuple[str, str, int]] = set()
        self._stop_watching = asyncio.Event()

    def start(self, session: Session, *, interval: float | None, watch: bool) -> None:
        """The space is open: read the status line, then a pass every `interval` seconds (if
        any) and whenever the folder changes (if `watch`)."""
        self._read_state()
        self.app.run_worker(
            self._passphrase_news, name="_passphrase_news", thread=True, exit_on_error=False
        )
        # The first sync pass waits until Tonight is on screen (see CompanionApp.tonight_painted):
        # it holds the session, and what it may bring in is shown a moment later anyway.
        if interval:
            self.app.set_interval(interval, self.sync_now, name="sync")
        if watch:
            self._watch(*session.watched_dirs())
            self.app.run_worker(
                self._follow_copy(session.copy_dir()),
                name="_watch_copy",
                group="watch",
                exit_on_error=False,
            )

    def stop(self) -> None:
        """The app is closing: the watcher stops (within WATCH_TIMEOUT_MS at worst)."""
        self._stop_watching.set()

    def _watch(self, devices_dir: Path, own_dir: Path) -> None:
        self.app.run_worker(
            self._follow(devices_dir, own_dir),
            name="_watch",
            group="watch",
            exclusive=True,
            exit_on_error=False,
        )

    async def _follow(self, devices_dir: Path, own_dir: Path) -> None:
        """Follow the partner's device folders; a sync pass whenever a file lands (our own
        device's folder aside: this app's own writes need no pass)."""
        from companion.sync.watcher import awatch

        async for changed in awatch(
            devices_dir, rescan_ms=WATCH_TIMEOUT_MS, stop_event=self._stop_watching, own_dir=own_dir
        ):
            # 0 is the watcher's own timeout, or a folder still missing: the periodic pass
            # covers those.
            if changed:
                self.sync_now()

    async def _follow_copy(self, copy_dir: Path) -> None:
        """Follow this device's own copy: a shell command here (`companion add`, `tick`)
        changes it, and the screen shows the change at once."""
        from companion.sync.watcher import awatch

        async for changed in awatch(
            copy_dir, rescan_ms=WATCH_TIMEOUT_MS, stop_event=self._stop_watching
        ):
            if changed and self.app.backend is not None:
                self.app.run_worker(
                    self._check_copy,
                    name="_check_copy",
                    group="copy",
                    thread=True,
                    exclusive=True,
                    exit_on_error=False,
                )

    def _check_copy(self) -> None:
        """Whether someone other than this app changed the copy (the app's own writes leave
        the stamp the backend noted); if so, the screen and the status line catch up."""
        backend = self.app.backend
        assert backend is not None
        with backend.session():
            elsewhere, backend.changed_elsewhere = backend.changed_elsewhere, False
        if elsewhere:
            self.app.call_from_thread(self._copy_changed)

    def _copy_changed(self) -> None:
        if isinstance(self.app.screen, PracticeScreen):
            self.app.screen.reload()
        self.sync_now()  # the status line's count of changes waiting, and what it brings

    def worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Say so if the watcher stopped: the periodic pass goes on without it."""
        if event.worker.group == "watch" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self.app.log.error(f"the folder watcher stopped: {error!r}")
            self.app.notify(
                f"Following the shared folder stopped ({error}). Changes are still shared "
                "by the regular pass, and at once with Sync now (ctrl+p).",
                severity="warning",
                title="Live updates paused",
                markup=False,
            )

    def sync_now(self) -> None:
        """One sync pass in the background; if one is running, another right after it."""
        if self.app.backend is None:
            return
        if self._syncing:
            self._sync_again = True
            return
        self._syncing = True
        self.app.run_worker(
            self._sync, name="_sync", group="sync", thread=True, exit_on_error=False
        )

    def _sync(self) -> None:
        from companion.arrivals import describe_arrivals

        backend = self.app.backend
        assert backend is not None
        try:
            with backend.session() as session:
                result = session.sync()
                # The app is open this evening: no reminder needed (kept on this device only).
                session.mark_app_opened()
                arrived = describe_arrivals(session, result.imported)
                state = _read_state_of(session, result)
        except Exception as exc:
            self.app.post_message(SyncFailed(exc, self._state_after_failure(str(exc))))
            return
        self.app.post_message(Synced(result, state, arrived))

    def _state_after_failure(self, error: str) -> data.SyncState | None:
        try:
            backend = self.app.backend
            assert backend is not None
            with backend.session() as session:
                return _read_state_of(session, error=error)
        except Exception:
            return None

    def _passphrase_news(self) -> None:
        """Say it if the passphrase was changed on another device (or on two at once)."""
        backend = self.app.backend
        assert backend is not None
        with backend.session() as session:
            news = session.passphrase_news()
        if news:
            self.app.call_from_thread(
                self.app.notify,
                news,
                title="Passphrase",
                severity="warning",
                timeout=20,
                markup=False,
            )

    def _read_state(self) -> None:
        self.app.run_worker(
            self._read,
            name="_read_state",
            group="state",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _read(self) -> None:
        """The status line before the first pass (or with syncing off): as it is on disk."""
        backend = self.app.backend
        assert backend is not None
        try:
            with backend.session() as session:
                state = _read_state_of(session)
        except Exception as exc:
            self.app.call_from_thread(self.app.show_error, exc)
            return
        self.app.post_message(StateRead(state))

    def reported(self, message: SyncReport) -> None:
        """What a worker reported, handed on by the app (which receives the messages)."""
        if isinstance(message, Synced):
            self._synced(message)
        elif isinstance(message, SyncFailed):
            self._sync_failed(message)
        elif self.app.sync_state is None:  # StateRead: a pass may already have said more
            self.app.sync_state = message.state

    def _pass_done(self) -> None:
        self._syncing = False
        if self._sync_again:
            self._sync_again = False
            self.sync_now()

    def _synced(self, message: Synced) -> None:
        """A pass went through: the status line, what changed about the folder, problems not
        reported yet, what arrived; the screen shows what came in."""
        app = self.app
        self._last_sync_error = None
        app.sync_state = message.state
        result = message.result
        if app.backend is not None and (
            result.imported or result.problems or result.folder_available != self._folder_ok
        ):
            app.backend.passes += 1  # screens kept aside read again when next shown
        if result.folder_available != self._folder_ok:
            self._folder_ok = result.folder_available
            if result.folder_available:
                app.notify("The shared folder is back; your changes are shared.", timeout=4)
            else:
                app.notify(
                    f"The shared folder isn't reachable. {result.waiting} change(s) wait "
                    "safely on this device.",
                    severity="warning",
                    title="Working offline",
                )
        from companion.service import Problem

        for problem in map(Problem.from_dict, result.problems):
            if problem.key not in self._problems_seen:
                self._problems_seen.add(problem.key)
                app.notify(
                    f"{problem.where.capitalize()}: {problem.message}. "
                    "Everything else merged; Settings (,) lists it, `companion verify` "
                    "has details.",
                    severity="warning",
                    title="Sharing hit a snag",
                    markup=False,
                )
        if message.arrived:
            app.notify(message.arrived, title="Arrived", timeout=5, markup=False)
        if result.imported and isinstance(app.screen, PracticeScreen):
            app.screen.reload()
        self._pass_done()

    def _sync_failed(self, message: SyncFailed) -> None:
        """A pass failed: each error is said once, not again at every pass that meets it."""
        if message.state is not None:
            self.app.sync_state = message.state
        text = str(message.error)
        if text != self._last_sync_error:
            self._last_sync_error = text
            self.app.show_error(message.error)
        self._pass_done()


def _read_state_of(
    session: Session, result: SyncResult | None = None, error: str | None = None
) -> data.SyncState:
    """The status line's state; its read model loads once the app is up (not for the paint)."""
    from companion.tui.read.sync_state import sync_state

    return sync_state(session, result, error)
