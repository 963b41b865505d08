"""The full-screen evening app: global keys, switching between screens, the periodic sync."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import ModalScreen, Screen

from companion.errors import CompanionError
from companion.service import Session, start_unlock
from companion.store import profile as profiles
from companion.store.crypto import BackgroundDerivation
from companion.sync.engine import SyncResult
from companion.tui.backend import Backend
from companion.tui.resources import style_path
from companion.tui.screens.agreements import AgreementsScreen
from companion.tui.screens.base import PracticeScreen
from companion.tui.screens.care import CareScreen
from companion.tui.screens.checkin import CheckinScreen
from companion.tui.screens.gratitude import GratitudeScreen
from companion.tui.screens.help import HelpScreen
from companion.tui.screens.setup import SetupScreen
from companion.tui.screens.tonight import TonightScreen
from companion.tui.screens.unlock import UnlockScreen
from companion.views import describe_arrivals

PASSPHRASE_ENV = "COMPANION_PASSPHRASE"
SYNC_SECONDS = 3.0
DEFAULT_THEME = "catppuccin-mocha"

# mode → (key, footer label, what the command palette says about it)
SCREENS = {
    "tonight": ("t", "Tonight", "Today's care, new notes, a quick word of thanks"),
    "care": ("c", "Care", "Your care menu, your partner's, and the care you give"),
    "gratitude": ("g", "Gratitude", "Write a note of thanks; read what arrived"),
    "checkin": ("w", "Check-in", "This week's check-in, and last week's care"),
    "agreements": ("a", "Agreements", "Propose, accept or retire agreements"),
    "help": ("question_mark", "Help", "What the app is and is not; where to find help"),
}
KEY_DISPLAY = {"question_mark": "?"}


class CompanionApp(App[None]):
    """companion's TUI. Setup or unlock first; then the screens of the evening practice."""

    TITLE = "companion"
    CSS_PATH = style_path("app.tcss")
    MODES: ClassVar[dict[str, str | Callable[[], Screen]]] = {
        "tonight": TonightScreen,
        "care": CareScreen,
        "gratitude": GratitudeScreen,
        "checkin": CheckinScreen,
        "agreements": AgreementsScreen,
        "help": HelpScreen,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(key, f"go('{mode}')", label, key_display=KEY_DISPLAY.get(key))
            for mode, (key, label, _) in SCREENS.items()
        ),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    @dataclass
    class Synced(Message):
        result: SyncResult
        arrived: str | None

    @dataclass
    class SyncFailed(Message):
        error: Exception

    def __init__(
        self,
        *,
        home: Path | None = None,
        passphrase: str | None = None,
        derivation: BackgroundDerivation | None = None,
        sync_interval: float | None = SYNC_SECONDS,
        theme: str = DEFAULT_THEME,
    ) -> None:
        """`passphrase` unlocks without asking (`derivation`: its key, already on its way);
        `sync_interval=None` turns the periodic sync off (for tests)."""
        super().__init__()
        self.home = home if home is not None else profiles.profile_home()
        # Read here, before the event loop runs: the only disk access outside a worker.
        self.has_profile = profiles.exists(self.home)
        self.initial_passphrase = passphrase
        self.derivation = derivation
        self.sync_interval = sync_interval
        self.backend: Backend | None = None
        self.theme = theme
        self._syncing = False
        self._folder_ok = True
        self._last_sync_error: str | None = None
        self._problems_seen: set[tuple[str, str, int]] = set()

    @classmethod
    def from_environment(cls) -> CompanionApp:
        """The app as `companion` opens it: COMPANION_PASSPHRASE unlocks without asking.

        The passphrase's key derivation starts here, before Textual does, so the two overlap.
        """
        home = profiles.profile_home()
        passphrase = os.environ.get(PASSPHRASE_ENV) or None
        derivation = None
        if passphrase and profiles.exists(home):
            derivation = start_unlock(home, passphrase)
        return cls(home=home, passphrase=passphrase, derivation=derivation)

    def on_mount(self) -> None:
        # Pushed rather than made the default screen, so that their stylesheets load.
        self.push_screen(UnlockScreen() if self.has_profile else SetupScreen())

    # -- screens ----------------------------------------------------------------------------

    def open_session(self, session: Session) -> None:
        """The space is open: show Tonight, and start syncing with the partner."""
        self.backend = Backend(session)
        self.switch_mode("tonight")
        self.refresh_bindings()
        if self.sync_interval:
            self.sync_now()
            self.set_interval(self.sync_interval, self.sync_now, name="sync")

    def close_session(self) -> None:
        """Write down the session's bookkeeping. Blocking: call once the app has exited."""
        if self.backend is not None:
            with self.backend.session() as session:
                session.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            if isinstance(self.screen, ModalScreen):
                return False
            if self.backend is None:
                return parameters[0] == "help" and not isinstance(self.screen, HelpScreen)
            return parameters[0] != self.current_mode
        return True

    def action_go(self, mode: str) -> None:
        if self.backend is None:
            if mode == "help" and not isinstance(self.screen, HelpScreen):
                self.push_screen(HelpScreen())
            return
        self.switch_mode(mode)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.backend is not None:
            for mode, (_, label, help_text) in SCREENS.items():
                yield SystemCommand(label, help_text, lambda mode=mode: self.action_go(mode))
            yield SystemCommand(
                "Sync now", "Share your changes and bring in your partner's", self.sync_now
            )
        else:
            yield SystemCommand("Help", SCREENS["help"][2], lambda: self.action_go("help"))
        yield from super().get_system_commands(screen)

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

    def sync_now(self) -> None:
        """One sync pass in the background, unless one is still running."""
        if self.backend is None or self._syncing:
            return
        self._syncing = True
        self._sync()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync")
    def _sync(self) -> None:
        assert self.backend is not None
        try:
            with self.backend.session() as session:
                result = session.sync()
                arrived = describe_arrivals(session, result.imported)
        except Exception as exc:
            self.post_message(self.SyncFailed(exc))
            return
        self.post_message(self.Synced(result, arrived))

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        self._syncing = False
        self._last_sync_error = None
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
                    "Everything else merged; `companion verify` has details.",
                    severity="warning",
                    title="Sync problem",
                    markup=False,
                )
        if message.arrived:
            self.notify(message.arrived, title="Arrived", timeout=5, markup=False)
        if result.imported and isinstance(self.screen, PracticeScreen):
            self.screen.reload()

    @on(SyncFailed)
    def _sync_failed(self, message: SyncFailed) -> None:
        self._syncing = False
        text = str(message.error)
        if text != self._last_sync_error:
            self._last_sync_error = text
            self.show_error(message.error)


def run_app() -> None:
    """Open the TUI (`companion` with no command)."""
    app = CompanionApp.from_environment()
    try:
        app.run()
    finally:
        app.close_session()  # after the event loop has ended: a last write of bookkeeping
