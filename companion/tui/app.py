"""The full-screen evening app: global keys, switching between screens, keeping in sync."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import Reactive, reactive
from textual.screen import ModalScreen, Screen
from textual.theme import Theme

from companion.domain.text import inert
from companion.store import home as profiles
from companion.tui import messages
from companion.tui.navigation import BY_MODE, DESTINATIONS
from companion.tui.opening import Opening
from companion.tui.resources import style_path
from companion.tui.screens.tonight import TonightScreen
from companion.tui.sync_loop import SYNC_SECONDS, SyncLoop

# The evening's moments, which a person may look for by name (Tonight has their keys).
MOMENT_COMMANDS = (
    ("I need a pause", "Call a pause: back in 20 minutes to a day", "pause"),
    ("I could use support tonight", "Ask, with your care menu beside it", "support"),
)

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.worker import Worker

    # The first paint needs none of these: they load with the session, after it.
    from companion.service import BackgroundDerivation, Session
    from companion.tui.backend import Backend
    from companion.tui.prefetch import Opened as PrefetchOpened
    from companion.tui.prefetch import Prefetch
    from companion.tui.preparing import Preparer
    from companion.tui.protocol import CompanionAppLike, CompanionAppType
    from companion.tui.read import sync_state as data

DEFAULT_THEME = "catppuccin-mocha"
# The garbage collector, off while `companion` starts, is on again by then at the latest.
STARTUP_GC_SECONDS = 2.0
# How long `companion` waits for its start-up helper before it starts without it (seconds).
PREFETCH_WAIT = 1.0
# Seconds after the first paint before the other screens' stylesheets and screens are made.
AHEAD_DELAY = 0.3


class CompanionApp(App[None]):
    """companion's TUI. Setup or unlock first; then the screens of the evening practice."""

    TITLE = "companion"
    # Tonight's stylesheet comes with the app's: a screen's own CSS_PATH makes Textual parse
    # every stylesheet again as that screen first shows.
    CSS_PATH: ClassVar[list[str | PurePath]] = [style_path("app.tcss"), style_path("tonight.tcss")]
    # Tonight is the app's first screen (get_default_screen) and its mode is "tonight": made
    # that way rather than by switching to it, because a switch to a new mode has Textual
    # parse and apply every stylesheet again. Its entry in MODES is added once it exists.
    DEFAULT_MODE: ClassVar[str] = "tonight"
    # Each screen is classed by the terminal's width: "-narrow" (under 100 columns, 80 the
    # common default) lays out tighter, "-wide" (140 and more) gives the room to the text.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (Textual types it as an instance variable)
        (0, "-narrow"),
        (100, "-normal"),
        (140, "-wide"),
    ]
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
        prepare: bool | None = None,
        theme: str = DEFAULT_THEME,
    ) -> None:
        """`passphrase` unlocks without asking (`derivation`: its key, already on its way).

        `remembered`: whether this device may remember the key (read from the profile when
        None). `prefetch`: a helper already opening the space and reading Tonight (see
        tui/prefetch.py); `opened`, what it read, when it was done before the app started.
        `sync_interval` is the backstop pass; None turns syncing off
        altogether (for tests). `watch` (default: whenever syncing is on) follows the folder;
        `prepare` (the same default) builds the other screens ahead (tui/preparing.py).
        """
        super().__init__()
        self.home = home if home is not None else profiles.profile_home()
        self.sync_interval = sync_interval
        self.watch_folder = sync_interval is not None if watch is None else watch
        self.prepare_screens = sync_interval is not None if prepare is None else prepare
        self.preparer: Preparer | None = None
        self.backend: Backend | None = None
        # Unsent text typed in a screen's fields, by (mode, field id): kept until it is sent.
        self.drafts: dict[tuple[str, str], str] = {}
        # The app's parts see it as its screens do; mypy checks here that it is what they expect.
        like: CompanionAppLike = self
        parts_view = cast("CompanionAppType", like)
        self._opening = Opening(
            parts_view,
            passphrase=passphrase,
            derivation=derivation,
            remembered=remembered,
            prefetch=prefetch,
        )
        self._sync_loop = SyncLoop(parts_view)
        if opened is not None:
            theme = self._opening.adopt(opened) or theme
        if theme != self.theme:
            self.theme = theme
        self._painted = False

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
        opened = self._opening.prefetched
        self._tonight = TonightScreen(opened.tonight if opened is not None else None)
        return self._tonight

    def on_mount(self) -> None:
        # `companion` starts with the garbage collector off (entry.py): back on after the
        # first paint, or at the latest in a moment.
        self.set_timer(STARTUP_GC_SECONDS, gc.enable)
        self.add_mode("tonight", BY_MODE["tonight"].make)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._opening.start()

    def on_unmount(self) -> None:
        self._sync_loop.stop()
        gc.unfreeze()  # what the app held may be collected again once it is gone

    # -- opening (tui/opening.py) -----------------------------------------------------------

    @on(messages.SessionOpened)
    def _session_opened(self, message: messages.SessionOpened) -> None:
        self._opening.show(message.session, message.theme)
        self._session_ready(message.session)

    @on(messages.Prefetched)
    def _prefetched(self, message: messages.Prefetched) -> None:
        self._opening.prefetched_late(message.opened, self._tonight)

    @on(messages.NotOpened)
    def _not_opened(self, message: messages.NotOpened) -> None:
        self._opening.not_opened(message.error)

    @on(messages.Attached)
    def _attached(self, message: messages.Attached) -> None:
        self._session_ready(message.session)

    def _session_ready(self, session: Session) -> None:
        """Keys that need the space work now; syncing with the partner begins."""
        self.refresh_bindings()
        self._sync_loop.start(session, interval=self.sync_interval, watch=self.watch_folder)

    def close_session(self) -> None:
        """Write down the session's bookkeeping. Blocking: call once the app has exited."""
        # A session still opening is waited for only if its opening began (quit at once, and
        # the app closes without ever having opened one).
        if self.backend is not None and self.backend.settled(wait=self.backend.opening):
            with self.backend.session() as session:
                session.close()

    def tonight_painted(self) -> None:
        """Tonight is on screen: the session opens behind it (if it was painted from the
        start-up helper's reading), the first sync pass runs, the benchmark is told."""
        if self._painted:
            return
        self._painted = True
        gc.enable()
        self._opening.attach_session()
        if self.sync_interval:
            self.sync_now()
        from companion.tui import bench_hook  # loaded after the paint: nothing before needs it

        bench_hook.first_paint(self)
        # Screens are kept once built (coming back to one is a switch, not a rebuild); their
        # stylesheets are taken in soon, once, rather than one by one as each is first shown,
        # and what Settings would find slowly the first time is found then. After this frame:
        # nothing of it competes with the paint.
        self.set_timer(AHEAD_DELAY, self._start_ahead)

    def _start_ahead(self) -> None:
        self.run_worker(self._read_ahead, thread=True, group="ahead", exit_on_error=False)

    def _read_ahead(self) -> None:
        from companion.service.keys import keychain_available
        from companion.tui import styles_ahead

        sheets = styles_ahead.read_sheets()
        self.call_from_thread(styles_ahead.take_in, self, sheets)
        # Settings asks whether there is a keychain; the first asking is the slow one.
        keychain_available()
        self.call_from_thread(self._freeze_heap)
        if self.prepare_screens:
            self.call_from_thread(self._prepare_screens)

    def _prepare_screens(self) -> None:
        from companion.tui.preparing import Preparer

        self.preparer = Preparer(self)
        self.preparer.start()

    def _freeze_heap(self) -> None:
        """Leave what the app holds by now (Textual, the session, Tonight) out of later
        garbage collections: a full one over ten years' space took a tenth of a second or more,
        at whatever moment it fell, a screen switch as often as not. Once, after the paint."""
        gc.collect()
        gc.freeze()

    # -- moving around ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            if isinstance(self.screen, ModalScreen):
                return False
            if self.backend is None:
                return parameters[0] == "help" and self.screen.__class__.__name__ != "HelpScreen"
            return parameters[0] != self.current_mode
        return True

    def on_tonight(self, action: str) -> None:
        """Go to Tonight and run one of its actions there (from the command palette)."""
        self.action_go("tonight")
        self.call_after_refresh(self.run_action, f"screen.{action}")

    def action_go(self, mode: str) -> None:
        if self.backend is None:
            if mode == "help" and self.screen.__class__.__name__ != "HelpScreen":
                self.push_screen(BY_MODE["help"].make())
            return
        if mode != self.current_mode and not isinstance(self.screen, ModalScreen):
            self.switch_mode(mode)

    def action_toggle_keys(self) -> None:
        """Every key that works where the focus is, the app's own first (Esc closes it)."""
        from companion.tui.screens.keys import KeysScreen  # imported when first asked for

        if isinstance(self.screen, KeysScreen):
            self.screen.dismiss()
        else:
            self.push_screen(KeysScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.backend is not None:
            for d in DESTINATIONS:
                yield SystemCommand(d.label, d.help_text, lambda mode=d.mode: self.action_go(mode))
            yield SystemCommand(
                "Sync now", "Share your changes and bring in your partner's", self.sync_now
            )
            for title, help_text, action in MOMENT_COMMANDS:
                yield SystemCommand(title, help_text, lambda a=action: self.on_tonight(a))
        else:
            page = BY_MODE["help"]
            yield SystemCommand(page.label, page.help_text, lambda: self.action_go("help"))
        yield SystemCommand("Keys", "Show or hide the keys of this screen", self.action_toggle_keys)
        yield from super().get_system_commands(screen)

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

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, screens' and widgets' too: what it quotes (names, titles, a sync
        problem, an error's message) is shown inert."""
        super().notify(
            inert(message, multiline=True),
            title=inert(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def show_error(self, error: BaseException) -> None:
        """Tell the person what happened and what to do; never a traceback."""
        from companion.tui.notices import show_error  # only once something went wrong

        show_error(self, error)

    # -- sync (tui/sync_loop.py) ------------------------------------------------------------

    def sync_now(self) -> None:
        """One sync pass in the background; if one is running, another right after it."""
        self._sync_loop.sync_now()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self._sync_loop.worker_state_changed(event)

    @on(messages.StateRead)
    @on(messages.Synced)
    @on(messages.SyncFailed)
    def _sync_reported(self, message: messages.SyncReport) -> None:
        self._sync_loop.reported(message)


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
