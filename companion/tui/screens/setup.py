"""Setup: the first run on a device creates the couple's space or joins the partner's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Grid, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Static

from companion.errors import CompanionError, UsageError
from companion.service import Session, init_space, join_space
from companion.tui.messages import SessionOpened
from companion.tui.resources import style_path

if TYPE_CHECKING:
    from textual import getters

    from companion.tui.protocol import CompanionAppType

INTRO = (
    "A private evening practice for the two of you. Everything is encrypted with a "
    "passphrase you both know, and travels through a folder your sync tool already shares "
    "(Syncthing, Dropbox, iCloud Drive, a NAS). There is no server."
)


@dataclass(frozen=True)
class SetupRequest:
    create: bool
    folder: str
    name: str
    passphrase: str


class SetupScreen(Screen[None]):
    """Create a space (one partner, once) or join it (the other partner, or another device)."""

    TITLE = "Welcome"
    CSS_PATH = style_path("setup.tcss")

    @dataclass
    class Ready(Message):
        session: Session
        create: bool

    @dataclass
    class Refused(Message):
        error: Exception

    if TYPE_CHECKING:
        app = getters.app(CompanionAppType)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="setup-body"), Center(), Vertical(id="setup-box"):
            yield Static("Welcome to companion", classes="brand")
            yield Static(INTRO, id="setup-intro")
            with RadioSet(id="setup-mode", compact=True):
                yield RadioButton("Create our space", value=True, name="create")
                yield RadioButton("Join my partner's space", name="join")
            with Grid(id="setup-fields"):
                yield Label("Shared folder", classes="question")
                yield Input(
                    id="folder",
                    placeholder="a folder your sync tool shares, e.g. ~/Sync/us",
                    compact=True,
                )
                yield Label("Your name", classes="question")
                yield Input(id="name", placeholder="first name or nickname", compact=True)
                yield Label("Passphrase", classes="question")
                yield Input(
                    id="pass1", password=True, placeholder="at least 8 characters", compact=True
                )
                yield Label("The same again", id="pass2-label", classes="question")
                yield Input(
                    id="pass2",
                    password=True,
                    placeholder="to be sure it's the one you meant",
                    compact=True,
                )
            yield Static(id="setup-note")
            yield Button("Create our space", id="setup-go", variant="primary")
            yield Static(id="setup-status", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._mode_changed()
        self.query_one("#folder", Input).focus()

    @property
    def creating(self) -> bool:
        pressed = self.query_one("#setup-mode", RadioSet).pressed_button
        return pressed is None or pressed.name == "create"

    @on(RadioSet.Changed, "#setup-mode")
    def _mode_changed(self) -> None:
        create = self.creating
        self.query_one("#pass2", Input).display = create
        self.query_one("#pass2-label", Label).display = create
        self.query_one("#setup-go", Button).label = (
            "Create our space" if create else "Join the space"
        )
        self.query_one("#setup-note", Static).update(
            "Your partner joins from their own machine with the same passphrase: "
            "tell it to them in person."
            if create
            else "Use the passphrase your partner chose, once the folder has synced here."
        )

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        last = "#pass2" if self.creating else "#pass1"
        if event.input.id == last.lstrip("#"):
            self._go()
        else:
            self.focus_next()

    @on(Button.Pressed, "#setup-go")
    def _go(self) -> None:
        try:
            request = self._request()
        except CompanionError as exc:
            self.app.show_error(exc)
            return
        self._busy(True)
        self._set_up(request)

    def _request(self) -> SetupRequest:
        value = {
            field: self.query_one(f"#{field}", Input).value
            for field in ("folder", "name", "pass1", "pass2")
        }
        if not value["folder"].strip():
            raise UsageError("Which folder does your sync tool share?", "Type its path.")
        if not value["name"].strip():
            raise UsageError("What should your partner call you?", "A first name is fine.")
        if self.creating and value["pass1"] != value["pass2"]:
            raise UsageError("The two passphrases are different.", "Type the same one twice.")
        folder = str(Path(value["folder"].strip()).expanduser())
        return SetupRequest(self.creating, folder, value["name"], value["pass1"])

    @work(thread=True, exclusive=True, exit_on_error=False, group="setup")
    def _set_up(self, request: SetupRequest) -> None:
        make = init_space if request.create else join_space
        try:
            session = make(self.app.home, request.folder, request.name, request.passphrase)
        except Exception as exc:
            self.post_message(self.Refused(exc))
            return
        self.post_message(self.Ready(session, request.create))

    def _busy(self, busy: bool) -> None:
        for widget in self.query("Input, Button, RadioSet"):
            widget.disabled = busy
        status = self.query_one("#setup-status", Static)
        status.update("Setting up: making the keys takes a moment…" if busy else "")

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        for field in ("pass1", "pass2"):
            self.query_one(f"#{field}", Input).clear()
        session = message.session
        me = session.name_of(session.me)
        if message.create:
            self.notify(
                f"Welcome, {me}. Your partner opens companion on their machine and "
                "chooses Join, with the same passphrase.",
                title="Your space is ready",
                timeout=10,
                markup=False,
            )
        else:
            partner = session.name_of(session.partner) if session.partner else None
            self.notify(
                f"Welcome, {me}." + (f" You share this space with {partner}." if partner else ""),
                title="You're in",
                timeout=8,
                markup=False,
            )
        self.post_message(SessionOpened(session))

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self._busy(False)
        error = message.error
        about_passphrase = "passphrase" in str(error).lower()
        self.query_one("#pass1" if about_passphrase else "#folder", Input).focus()
        self.app.show_error(error)
