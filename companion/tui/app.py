"""The full-screen evening app: global keys, switching between screens, keeping in sync."""

from __future__ import annotations

import asyncio
import gc
import os
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from companion.errors import CompanionError
from companion.store import home as profiles
from companion.tui import memory
from companion.tui.backend import Backend
from companion.tui.navigation import BY_MODE, DESTINATIONS
from companion.tui.prefetch import Opened as PrefetchOpened
from companion.tui.prefetch import Prefetch
from companion.tui.resources import style_path
from companion.tui.screens.base import PracticeScreen
from companion.tui.screens.tonight import TonightScreen

if TYPE_CHECKING:
    # The first paint needs none of these: they load with the session, after it.
    from companion.service import Session
    from companion.store.crypto import BackgroundDerivation
    from companion.sync.engine import SyncResult
    from companion.tui.read import sync_state as data

# With the watcher on, a pass this often is only a backstop for events that never came.
SYNC_SECONDS = 20.0
# The watcher's own timeout: how soon it notices that the app is closing, at worst.
WATCH_TIMEOUT_MS = 2000
DEFAULT_THEME = "catppuccin-mocha"
# The garbage collector, off while `companion` starts, is on again by then at the latest.
STARTUP_GC_SECONDS = 2.0
# How long `companion` waits for its start-up helper before it starts without it (seconds).
PREFETCH_WAIT = 1.0
BENCH_EVENTS_ENV = "COMPANION_BENCH_EVENTS"
BENCH_EXIT_ENV = "COMPANION_BENCH_EXIT"


class CompanionApp(App[None]):
    """companion's TUI. Setup or unlock first; then the screens of the evening practice."""

    TITLE = "companion"
    # Tonight's stylesheet comes with the app's: a screen's own CSS_PATH makes Textual parse
    # every stylesheet again as that screen first shows.
    CSS_PATH: ClassVar[list[str]] = [style_path("app.tcss"), style_path("tonight.tcss")]
    # Tonight is the app's first screen (get_default_screen) and its mode is "tonight": made
    # that way rather than by switching to it, because a switch to a new mode has Textual
    # parse and apply every stylesheet again. Its entry in MODES is added once it exists.
    DEFAULT_MODE: ClassVar[str] = "tonight"
    # Screens other than Tonight are imported the first time they are shown.
    MODES: ClassVar[dict[str, str | Callable[[], Screen]]] = {
        d.mode: d.make for d in DESTINATIONS if d.mode != "tonight"
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown by the navigation row above the footer (widgets/nav_bar.py).
        *(
            Binding(d.key, f"go('{d.mode}')", d.label, show=False, key_display=d.key_display)
            for d in DESTINATIONS
        ),
        Binding("f1", "toggle_keys", "Keys", tooltip="Every key of this screen"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    # The theme a device starts in, as the reactive's own default: set in __init__ instead,
    # it would have Textual parse and apply every stylesheet a second time at start-up.
    theme: Reactive[str] = Reactive(DEFAULT_THEME)
    # What the status line says; None until the space is open.
    sync_state: reactive[data.SyncState | None] = reactive(None, init=False)

    class Synced(Message):
        def __init__(self, result: SyncResult, state: data.SyncState, arrived: str | None) -> None:
            super().__init__()
            self.result = result
            self.state = state
            self.arrived = arrived

    class SyncFailed(Message):
        def __init__(self, error: Exception, state: data.SyncState | None) -> None:
            super().__init__()
            self.error = error
            self.state = state

    class StateRead(Message):
        def __init__(self, state: data.SyncState) -> None:
            super().__init__()
            self.state = state

    class Opened(Message):
        """The space opened without asking (a passphrase given, or a remembered key)."""

        def __init__(self, session: Session, theme: str | None) -> None:
            super().__init__()
            self.session = session
            self.theme = theme

    class Prefetched(Message):
        """The start-up helper's reading came in after the app had started."""

        def __init__(self, opened: PrefetchOpened) -> None:
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

    def __init__(
        self,
        *,
        home: Path | None = None,
        passphrase: str | None = None,
        derivation: BackgroundDerivation | None = None,
        remembered: bool | None = None,
        prefetch: Prefetch | None = None,
        opened: PrefetchOpened | None = None,
        sync_interval: float | None = SYNC_SECONDS,
        watch: bool | None = None,
        theme: str = DEFAULT_THEME,
    ) -> None:
        """`passphrase` unlocks without asking (`derivation`: its key, already on its way).

        `remembered`: whether this device may remember the key (read from the profile when
        None). `prefetch`: a helper already opening the space and reading Tonight (see
        tui/prefetch.py); `opened`, what it read, when it was done before the app started.
        `sync_interval` is the backstop pass; None turns syncing off
        altogether (for tests). `watch` (default: whenever syncing is on) follows the folder.
        """
        super().__init__()
        self.home = home if home is not None else profiles.profile_home()
        # Read here, before the event loop runs: the only disk access outside a worker.
        self.has_profile = profiles.exists(self.home)
        if remembered is None:
            remembered = self.has_profile and profiles.remembered_in(self.home) is not None
        self.remembered = remembered
        self.initial_passphrase = passphrase
        self.derivation = derivation
        self.prefetch = prefetch
        self.sync_interval = sync_interval
        self.watch_folder = sync_interval is not None if watch is None else watch
        self.backend: Backend | None = None
        self._opened: PrefetchOpened | None = None
        if opened is not None:
            theme = self._adopt(opened) or theme
        if theme != self.theme:
            self.theme = theme
        self._syncing = False
        self._sync_again = False
        self._folder_ok = True
        self._last_sync_error: str | None = None
        self._problems_seen: set[tuple[str, str, int]] = set()
        self._stop_watching = asyncio.Event()
        self._painted = False
        # Text typed in a screen that was let go, by (mode, field id): back when it returns.
        self.drafts: dict[tuple[str, str], str] = {}

    @classmethod
    def from_environment(
        cls, prefetch: Prefetch | None = None, opened: PrefetchOpened | None = None
    ) -> CompanionApp:
        """The app as `companion` opens it: COMPANION_PASSPHRASE unlocks without asking.

        Without a `prefetch` helper, the passphrase's key derivation starts here (or began
        with the command), before Textual starts, so the two overlap.
        """
        home = prefetch.home if prefetch is not None else profiles.profile_home()
        passphrase = os.environ.get(profiles.PASSPHRASE_ENV) or None
        derivation = None
        if passphrase and prefetch is None and profiles.exists(home):
            from companion.service import start_unlock

            derivation = start_unlock(home, passphrase)
        return cls(
            home=home,
            passphrase=passphrase,
            derivation=derivation,
            prefetch=prefetch,
            opened=opened,
        )

    def get_default_screen(self) -> Screen:
        self._tonight = TonightScreen(self._opened.tonight if self._opened is not None else None)
        return self._tonight

    def on_mount(self) -> None:
        # `companion` starts with the garbage collector off (entry.py): back on after the
        # first paint, or at the latest in a moment.
        self.set_timer(STARTUP_GC_SECONDS, gc.enable)
        self.add_mode("tonight", BY_MODE["tonight"].make)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self._opened is not None:
            return  # Tonight has its data; the session opens once it is painted
        if not self.has_profile:
            from companion.tui.screens.setup import SetupScreen

            self.push_screen(SetupScreen())
        elif self.initial_passphrase or self.remembered:
            # Nothing to ask: Tonight says the space is opening, and fills in once it is.
            self._open_without_asking()
        else:
            # Tonight is built under the unlock screen while the passphrase is typed.
            self.push_screen(_unlock_screen())

    def on_unmount(self) -> None:
        self._stop_watching.set()

    # -- opening ----------------------------------------------------------------------------

    def _adopt(self, opened: PrefetchOpened) -> str | None:
        """Take on what the helper read: Tonight is painted from it; this process's own session
        opens right after (_attach), and whatever needs it meanwhile waits for it. Returns
        the device's theme, if it is one the app has."""
        self._opened = opened
        self.backend = Backend(None, opened.since)
        return opened.theme if opened.theme in self.available_themes else None

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def _open_without_asking(self) -> None:
        from companion.service import Session

        prefetch, self.prefetch = self.prefetch, None
        opened = prefetch.take() if prefetch is not None else None
        if opened is not None:
            self.post_message(self.Prefetched(opened))
            return
        # No helper, or it couldn't: the ordinary way, which says what is wrong.
        try:
            if self.initial_passphrase:
                session = Session.unlock(
                    self.home, self.initial_passphrase, derivation=self.derivation
                )
            else:
                remembered = Session.open_remembered(self.home)
                if remembered is None:  # not this space's key any more
                    self.post_message(self.NotOpened(None))
                    return
                session = remembered
        except Exception as exc:
            self.post_message(self.NotOpened(exc))
            return
        from companion.tui.screens.unlock import theme_of

        self.post_message(self.Opened(session, theme_of(session, self)))

    @on(Opened)
    def _opened(self, message: Opened) -> None:
        self.open_session(message.session, message.theme)

    @on(Prefetched)
    def _prefetched(self, message: Prefetched) -> None:
        theme = self._adopt(message.opened)
        if theme is not None and theme != self.theme:
            self.theme = theme
        self._tonight.show_data(message.opened.tonight)

    @on(NotOpened)
    def _not_opened(self, message: NotOpened) -> None:
        self.backend = None
        self.refresh_bindings()
        self.push_screen(_unlock_screen(message.error))

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def _attach(self, backend: Backend, data_key: bytes) -> None:
        """This process's own session, with the key the helper found (no key derivation)."""
        from companion.service import Session

        backend.opening = True
        try:
            session = Session.open_with_key(self.home, data_key)
        except Exception as exc:
            backend.fail(exc)
            self.post_message(self.NotOpened(exc))
            return
        backend.attach(session)
        self.post_message(self.Attached(session))

    @on(Attached)
    def _attached(self, message: Attached) -> None:
        self._session_ready(message.session)

    def open_session(self, session: Session, theme: str | None = None) -> None:
        """The space is open: show Tonight, and start syncing with the partner.

        `theme` is the one chosen on this device (read with the session, off the loop).
        """
        self.backend = Backend(session)
        if theme and theme in self.available_themes and theme != self.theme:
            self.theme = theme
        if self.current_mode == "tonight":
            # Off come the unlock screen (and Help, if it was open over it); Tonight reads
            # its data as it comes back to the top, or now if it never left.
            covered = len(self.screen_stack) > 1
            for _ in range(len(self.screen_stack) - 1):
                self.pop_screen()
            if not covered and isinstance(self.screen, PracticeScreen):
                self.screen.reload()
        else:
            self.switch_mode("tonight")
        self._session_ready(session)

    def _session_ready(self, session: Session) -> None:
        """Keys that need the space work now; syncing with the partner begins."""
        self.refresh_bindings()
        self._read_state()
        # The first sync pass waits until Tonight is on screen (see tonight_painted): it holds
        # the session, and what it may bring in is shown a moment later anyway.
        if self.sync_interval:
            self.set_interval(self.sync_interval, self.sync_now, name="sync")
        if self.watch_folder:
            self._watch(session.journal.devices_dir, session.journal.own_dir)

    def close_session(self) -> None:
        """Write down the session's bookkeeping. Blocking: call once the app has exited."""
        # A session still opening is waited for only if its opening began (quit at once, and
        # the app closes without ever having opened one).
        if self.backend is not None and self.backend.settled(wait=self.backend.opening):
            with self.backend.session() as session:
                session.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            if isinstance(self.screen, ModalScreen):
                return False
            if self.backend is None:
                return parameters[0] == "help" and self.screen.__class__.__name__ != "HelpScreen"
            return parameters[0] != self.current_mode
        return True

    def action_go(self, mode: str) -> None:
        if self.backend is None:
            if mode == "help" and self.screen.__class__.__name__ != "HelpScreen":
                self.push_screen(BY_MODE["help"].make())
            return
        if mode != self.current_mode and not isinstance(self.screen, ModalScreen):
            self.switch_mode(mode)

    def switch_mode(self, mode: str) -> AwaitComplete:
        leaving = BY_MODE.get(self.current_mode)
        done = super().switch_mode(mode)
        if leaving is not None and leaving.released and leaving.mode != mode:
            # Let go of the screen just left before the next one is built: it comes back
            # afresh (drafts and all), and memory stays what Tonight and one screen need.
            removed = self.remove_mode(leaving.mode)
            self.add_mode(leaving.mode, leaving.make)
            self.call_next(self._collect, removed)
        return done

    async def _collect(self, removed: AwaitComplete) -> None:
        await removed
        memory.collect(self)

    def action_toggle_keys(self) -> None:
        """Textual's keys panel: every key that works where the focus is."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.backend is not None:
            for d in DESTINATIONS:
                yield SystemCommand(d.label, d.help_text, lambda mode=d.mode: self.action_go(mode))
            yield SystemCommand(
                "Sync now", "Share your changes and bring in your partner's", self.sync_now
            )
        else:
            page = BY_MODE["help"]
            yield SystemCommand(page.label, page.help_text, lambda: self.action_go("help"))
        yield SystemCommand("Keys", "Show or hide the keys of this screen", self.action_toggle_keys)
        yield from super().get_system_commands(screen)

    def tonight_painted(self) -> None:
        """Tonight is on screen: note the first time for the benchmark, if it asked."""
        if self._painted:
            return
        self._painted = True
        gc.enable()
        opened, self._opened = self._opened, None
        if opened is not None and self.backend is not None:
            self._attach(self.backend, opened.data_key)
        if self.sync_interval:
            self.sync_now()
        events = os.environ.get(BENCH_EVENTS_ENV)
        if events:
            with open(events, "a", encoding="utf-8") as out:
                out.write(f"painted {time.time()!r}\n")
            if os.environ.get(BENCH_EXIT_ENV) == "1":
                self.exit()

    # -- theme ------------------------------------------------------------------------------

    def _theme_changed(self, theme: Theme) -> None:
        """Chosen in Settings or the command palette: kept for this device."""
        if self.backend is not None:
            self._save_theme(theme.name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="theme")
    def _save_theme(self, name: str) -> None:
        from companion.tui import changes

        assert self.backend is not None
        try:
            with self.backend.session() as session:
                changes.set_theme(session, name)
        except Exception as exc:
            self.call_from_thread(self.show_error, exc)

    # -- errors -----------------------------------------------------------------------------

    def show_error(self, error: BaseException) -> None:
        """Tell the person what happened and what to do; never a traceback."""
        if isinstance(error, CompanionError):
            text = error.message if not error.hint else f"{error.message}\n{error.hint}"
            self.notify(text, severity="error", title=error.title, timeout=8, markup=False)
            return
        self.log.error("".join(traceback.format_exception(error)))
        self.notify(
            f"Something went wrong: {error}",
            severity="error",
            title="Unexpected problem",
            timeout=8,
            markup=False,
        )

    # -- sync -------------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="watch")
    async def _watch(self, devices_dir: Path, own_dir: Path) -> None:
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

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "watch" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self.log.error(f"the folder watcher stopped: {error!r}")
            self.notify(
                f"Following the shared folder stopped ({error}). Changes are still shared "
                "by the regular pass, and at once with Sync now (ctrl+p).",
                severity="warning",
                title="Live updates paused",
                markup=False,
            )

    def sync_now(self) -> None:
        """One sync pass in the background; if one is running, another right after it."""
        if self.backend is None:
            return
        if self._syncing:
            self._sync_again = True
            return
        self._syncing = True
        self._sync()

    @work(thread=True, exclusive=False, exit_on_error=False, group="sync")
    def _sync(self) -> None:
        from companion.views import describe_arrivals

        assert self.backend is not None
        try:
            with self.backend.session() as session:
                result = session.sync()
                arrived = describe_arrivals(session, result.imported)
                state = _data().sync_state(session, result)
        except Exception as exc:
            self.post_message(self.SyncFailed(exc, self._state_after_failure(str(exc))))
            return
        self.post_message(self.Synced(result, state, arrived))

    def _state_after_failure(self, error: str) -> data.SyncState | None:
        try:
            assert self.backend is not None
            with self.backend.session() as session:
                return _data().sync_state(session, error=error)
        except Exception:
            return None

    @work(thread=True, exclusive=True, exit_on_error=False, group="state")
    def _read_state(self) -> None:
        """The status line before the first pass (or with syncing off): as it is on disk."""
        assert self.backend is not None
        try:
            with self.backend.session() as session:
                state = _data().sync_state(session)
        except Exception as exc:
            self.call_from_thread(self.show_error, exc)
            return
        self.post_message(self.StateRead(state))

    @on(StateRead)
    def _state_read(self, message: StateRead) -> None:
        if self.sync_state is None:
            self.sync_state = message.state

    def _pass_done(self) -> None:
        self._syncing = False
        if self._sync_again:
            self._sync_again = False
            self.sync_now()

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        self._last_sync_error = None
        self.sync_state = message.state
        result = message.result
        if result.folder_available != self._folder_ok:
            self._folder_ok = result.folder_available
            if result.folder_available:
                self.notify("The shared folder is back; your changes are shared.", timeout=4)
            else:
                self.notify(
                    f"The shared folder isn't reachable. {result.waiting} change(s) wait "
                    "safely on this device.",
                    severity="warning",
                    title="Working offline",
                )
        for problem in result.problems:
            key = (problem["kind"], problem["device"], problem["seq"])
            if key not in self._problems_seen:
                self._problems_seen.add(key)
                self.notify(
                    f"Device {problem['device'][:8]}: {problem['message']}. "
                    "Everything else merged; Settings (,) lists it, `companion verify` "
                    "has details.",
                    severity="warning",
                    title="Sync problem",
                    markup=False,
                )
        if message.arrived:
            self.notify(message.arrived, title="Arrived", timeout=5, markup=False)
        if result.imported and isinstance(self.screen, PracticeScreen):
            self.screen.reload()
        self._pass_done()

    @on(SyncFailed)
    def _sync_failed(self, message: SyncFailed) -> None:
        if message.state is not None:
            self.sync_state = message.state
        text = str(message.error)
        if text != self._last_sync_error:
            self._last_sync_error = text
            self.show_error(message.error)
        self._pass_done()


def _unlock_screen(refused: Exception | None = None) -> Screen:
    """The passphrase screen, loaded only when there is something to ask."""
    from companion.tui.screens.unlock import UnlockScreen

    return UnlockScreen(refused)


def _data():
    """The status line's read model, loaded once the app is up (it isn't needed to paint)."""
    from companion.tui.read import sync_state

    return sync_state


def run_app(prefetch: Prefetch | None = None) -> None:
    """Open the TUI (`companion` with no command); `prefetch` is already opening the space.

    By now the helper has usually finished: its result lets Tonight be built once, with its
    data, instead of empty and then again. Only a short wait, before the event loop starts:
    past it (a slow keychain, say), the app starts without it and takes it in a worker.
    """
    opened = prefetch.take(timeout=PREFETCH_WAIT) if prefetch is not None else None
    app = CompanionApp.from_environment(prefetch, opened)
    try:
        app.run()
    finally:
        app.close_session()  # after the event loop has ended: a last write of bookkeeping
