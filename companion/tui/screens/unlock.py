"""Unlock: the passphrase opens this device's copy of the space (Argon2id, in a thread)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Middle, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from companion.errors import CompanionError, UnlockError
from companion.service import Session
from companion.store.crypto import BackgroundDerivation
from companion.tui import data

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp


class UnlockScreen(Screen[None]):
    """Asks for the passphrase, unless COMPANION_PASSPHRASE gave it already."""

    TITLE = "Unlock"
    # styles/unlock.tcss is loaded with the app's stylesheet (CompanionApp.CSS_PATH).

    @dataclass
    class Unlocked(Message):
        session: Session
        theme: str | None = None

    @dataclass
    class Refused(Message):
        error: Exception

    if TYPE_CHECKING:

        @property
        def app(self) -> CompanionApp: ...

    def compose(self) -> ComposeResult:
        with Middle(), Center(), Vertical(id="unlock-box"):
            yield Static("companion", classes="brand")
            yield Static("Welcome back. Your evening space is locked.", id="unlock-lead")
            yield Input(password=True, placeholder="Passphrase", id="passphrase")
            yield Static(id="unlock-status", markup=False)
        yield Footer(compact=True)

    @dataclass
    class Ask(Message):
        """Nothing remembered on this device: the passphrase is needed."""

    def on_mount(self) -> None:
        passphrase = self.app.initial_passphrase
        if passphrase:
            self.unlock(passphrase, self.app.derivation)
        else:
            self.query_one("#passphrase", Input).disabled = True
            self._open_remembered()

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def _open_remembered(self) -> None:
        """Open with a key this device remembers (`companion remember`), if there is one."""
        try:
            session = Session.open_remembered(self.app.home)
        except Exception as exc:
            self.post_message(self.Refused(exc))
            return
        if session is None:
            self.post_message(self.Ask())
        else:
            self.post_message(self.Unlocked(session, self._theme(session)))

    @on(Ask)
    def _ask(self) -> None:
        field = self.query_one("#passphrase", Input)
        field.disabled = False
        field.focus()

    @on(Input.Submitted, "#passphrase")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value:
            self.unlock(event.value)

    def unlock(self, passphrase: str, derivation: BackgroundDerivation | None = None) -> None:
        self.query_one("#passphrase", Input).disabled = True
        self._status("Opening your space…", error=False)
        self._unlock(passphrase, derivation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def _unlock(self, passphrase: str, derivation: BackgroundDerivation | None) -> None:
        try:
            session = Session.unlock(self.app.home, passphrase, derivation=derivation)
        except Exception as exc:
            self.post_message(self.Refused(exc))
            return
        self.post_message(self.Unlocked(session, self._theme(session)))

    def _theme(self, session: Session) -> str | None:
        """This device's theme, read here in the worker so that Tonight opens in it."""
        try:
            return data.theme_preference(session)
        except Exception as exc:  # a theme is not worth refusing to open over
            self.app.call_from_thread(self.app.show_error, exc)
            return None

    @on(Unlocked)
    def _unlocked(self, message: Unlocked) -> None:
        self.query_one("#passphrase", Input).clear()
        self._status("", error=False)
        self.app.open_session(message.session, message.theme)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        error = message.error
        field = self.query_one("#passphrase", Input)
        field.disabled = False
        field.clear()
        field.focus()
        if isinstance(error, CompanionError):
            self._status(error.message, error=True)
        else:
            self._status("Something went wrong while opening the space.", error=True)
        if not isinstance(error, UnlockError):
            self.app.show_error(error)

    def _status(self, text: str, *, error: bool) -> None:
        status = self.query_one("#unlock-status", Static)
        status.update(text)
        status.set_class(error, "-error")
