"""Unlock: the passphrase opens this device's copy of the space (Argon2id, in a thread).

Shown only when there is something to ask: a passphrase given in the environment or a key
remembered on this device opens the space without it (tui/opening.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Middle, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from companion.domain.text import inert
from companion.errors import CompanionError, UnlockError
from companion.tui.messages import SessionOpened
from companion.tui.read.tonight import theme_preference
from companion.tui.resources import style_path

if TYPE_CHECKING:
    from textual import getters

    from companion.service import Session
    from companion.tui.protocol import CompanionAppType


class UnlockScreen(Screen[None]):
    """Asks for the passphrase, over Tonight (which fills in once the space is open)."""

    TITLE = "Unlock"
    # Its own stylesheet: it shows only when there is something to ask, so the app doesn't
    # parse it at every start.
    CSS_PATH = style_path("unlock.tcss")

    class Refused(Message):
        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

    if TYPE_CHECKING:
        app = getters.app(CompanionAppType)

    def __init__(self, refused: Exception | None = None) -> None:
        """`refused`: why opening without asking didn't work, shown above the field."""
        super().__init__()
        self._refused = refused

    def compose(self) -> ComposeResult:
        with Middle(), Center(), Vertical(id="unlock-box"):
            yield Static("companion", classes="brand")
            yield Static("Welcome back. Your evening space is locked.", id="unlock-lead")
            yield Input(password=True, placeholder="Passphrase", id="passphrase")
            yield Static(id="unlock-status", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()
        if self._refused is not None:
            self._explain(self._refused)

    @on(Input.Submitted, "#passphrase")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value:
            self.unlock(event.value)

    def unlock(self, passphrase: str) -> None:
        self.query_one("#passphrase", Input).disabled = True
        self._status("Opening your space…", error=False)
        self._unlock(passphrase)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def _unlock(self, passphrase: str) -> None:
        from companion.service import Passphrase, open_space

        try:
            session = open_space(self.app.home, Passphrase(passphrase))
        except Exception as exc:
            self.post_message(self.Refused(exc))
            return
        self.post_message(SessionOpened(session, theme_of(session, self.app)))

    @on(SessionOpened)
    def _unlocked(self) -> None:
        # The message goes on to the app, which shows the space.
        self.query_one("#passphrase", Input).clear()
        self._status("", error=False)

    @on(Refused)
    def _refused_now(self, message: Refused) -> None:
        field = self.query_one("#passphrase", Input)
        field.disabled = False
        field.clear()
        field.focus()
        self._explain(message.error)

    def _explain(self, error: Exception) -> None:
        if isinstance(error, CompanionError):
            self._status(inert(error.message, multiline=True), error=True)
        else:
            self._status("Something went wrong while opening the space.", error=True)
        if not isinstance(error, UnlockError):
            self.app.show_error(error)

    def _status(self, text: str, *, error: bool) -> None:
        status = self.query_one("#unlock-status", Static)
        status.update(text)
        status.set_class(error, "-error")


def theme_of(session: Session, app: CompanionAppType) -> str | None:
    """This device's theme, read in the opening worker so that Tonight opens in it."""
    try:
        return theme_preference(session)
    except Exception as exc:  # a theme is not worth refusing to open over
        app.call_from_thread(app.show_error, exc)
        return None
