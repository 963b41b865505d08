"""How the app comes to its session: the start-up helper's reading, opening without asking
(a passphrase in the environment, or a key remembered on this device), or the Setup and
Unlock screens.

Each way ends in a message to the app (messages.py): SessionOpened, Attached (this process's
own session, behind Tonight painted from the helper's reading), or NotOpened (the unlock
screen asks).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from companion.store import home as profiles
from companion.tui.backend import Backend
from companion.tui.messages import Attached, NotOpened, Prefetched, SessionOpened
from companion.tui.screens.base import PracticeScreen

if TYPE_CHECKING:
    from textual.screen import Screen

    from companion.service import BackgroundDerivation, Session
    from companion.tui.prefetch import Opened, Prefetch
    from companion.tui.protocol import CompanionAppType


class Opening:
    """The app's ways to a session, chosen as the app mounts (`start`)."""

    def __init__(
        self,
        app: CompanionAppType,
        *,
        passphrase: str | None,
        derivation: BackgroundDerivation | None,
        remembered: bool | None,
        prefetch: Prefetch | None,
    ) -> None:
        """`remembered` None: read from the profile (see CompanionApp.__init__)."""
        self.app = app
        home = app.home
        # Read here, before the event loop runs: the only disk access outside a worker.
        self.has_profile = profiles.exists(home)
        if remembered is None:
            remembered = self.has_profile and profiles.remembered_in(home) is not None
        self.remembered = remembered
        self.passphrase = passphrase
        self.derivation = derivation
        self.prefetch = prefetch
        # What the helper read, from before the app started until Tonight is painted from it.
        self.prefetched: Opened | None = None

    def adopt(self, opened: Opened) -> str | None:
        """Take on what the helper read: Tonight is painted from it; this process's own session
        opens right after (attach_session), and whatever needs it meanwhile waits for it.
        Returns the device's theme, if it is one the app has."""
        self.prefetched = opened
        self.app.backend = Backend(None, opened.since)
        return opened.theme if opened.theme in self.app.available_themes else None

    def start(self) -> None:
        """As the app mounts: set up, open without asking, or ask for the passphrase."""
        if self.prefetched is not None:
            return  # Tonight has its data; the session opens once it is painted
        if not self.has_profile:
            from companion.tui.screens.setup import SetupScreen

            self.app.push_screen(SetupScreen())
        elif self.passphrase or self.remembered:
            # Nothing to ask: Tonight says the space is opening, and fills in once it is.
            self.app.run_worker(
                self._open_without_asking,
                name="_open_without_asking",
                group="unlock",
                thread=True,
                exclusive=True,
                exit_on_error=False,
            )
        else:
            # Tonight is built under the unlock screen while the passphrase is typed.
            self.app.push_screen(unlock_screen())

    def _open_without_asking(self) -> None:
        from companion.service import NotRemembered, Passphrase, Remembered, open_space

        prefetch, self.prefetch = self.prefetch, None
        opened = prefetch.take() if prefetch is not None else None
        if opened is not None:
            self.app.post_message(Prefetched(opened))
            return
        # No helper, or it couldn't: the ordinary way, which says what is wrong.
        source = Passphrase(self.passphrase, self.derivation) if self.passphrase else Remembered()
        try:
            session = open_space(self.app.home, source)
        except NotRemembered:  # not this space's key any more
            self.app.post_message(NotOpened(None))
            return
        except Exception as exc:
            self.app.post_message(NotOpened(exc))
            return
        from companion.tui.screens.unlock import theme_of

        self.app.post_message(SessionOpened(session, theme_of(session, self.app)))

    def show(self, session: Session, theme: str | None) -> None:
        """The space is open: show Tonight (the app then starts syncing with the partner).

        `theme` is the one chosen on this device (read with the session, off the loop).
        """
        app = self.app
        app.backend = Backend(session)
        if theme and theme in app.available_themes and theme != app.theme:
            app.theme = theme
        if app.current_mode == "tonight":
            # Off come the unlock screen (and Help, if it was open over it); Tonight reads
            # its data as it comes back to the top, or now if it never left.
            covered = len(app.screen_stack) > 1
            for _ in range(len(app.screen_stack) - 1):
                app.pop_screen()
            if not covered and isinstance(app.screen, PracticeScreen):
                app.screen.reload()
        else:
            app.switch_mode("tonight")

    def prefetched_late(self, opened: Opened, tonight: PracticeScreen) -> None:
        """The helper's reading came in after the app started: Tonight shows it."""
        theme = self.adopt(opened)
        if theme is not None and theme != self.app.theme:
            self.app.theme = theme
        tonight.show_data(opened.tonight)

    def not_opened(self, error: Exception | None) -> None:
        """Opening without asking didn't work: the unlock screen asks, saying why."""
        self.app.backend = None
        self.app.refresh_bindings()
        self.app.push_screen(unlock_screen(error))

    def attach_session(self) -> None:
        """Tonight is painted from the helper's reading: this process's own session opens now,
        with the key the helper found (no key derivation)."""
        opened, self.prefetched = self.prefetched, None
        backend = self.app.backend
        if opened is None or backend is None:
            return
        self.app.run_worker(
            partial(self._open_with_key, backend, opened.data_key),
            name="_attach_session",
            group="unlock",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _open_with_key(self, backend: Backend, data_key: bytes) -> None:
        from companion.service import DataKey, open_space

        backend.opening = True
        try:
            session = open_space(self.app.home, DataKey(data_key))
        except Exception as exc:
            backend.fail(exc)
            self.app.post_message(NotOpened(exc))
            return
        backend.attach(session)
        self.app.post_message(Attached(session))


def unlock_screen(refused: Exception | None = None) -> Screen:
    """The passphrase screen, loaded only when there is something to ask."""
    from companion.tui.screens.unlock import UnlockScreen

    return UnlockScreen(refused)
