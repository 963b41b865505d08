"""Small modal dialogs: a gentle confirmation, adopting a care action (its words in the
giver's view, its rhythm), a new passphrase, a receiver's few words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from companion.domain import adopting
from companion.domain import model as m
from companion.errors import CompanionError, UsageError
from companion.tui.resources import style_path
from companion.tui.widgets.cadence import CadencePicker

if TYPE_CHECKING:
    from textual import getters

    from companion.tui.protocol import CompanionAppType


class ConfirmDialog(ModalScreen[bool]):
    """Ask before something that can't be undone from the app."""

    CSS_PATH = style_path("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(False)", "Cancel")]

    def __init__(self, question: str, yes: str, no: str = "Keep it") -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(self.no, id="no")
                yield Button(self.yes, id="yes", variant="warning")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


@dataclass(frozen=True)
class CareChoice:
    title: str
    cadence: str


class CareActionDialog(ModalScreen["CareChoice | None"]):
    """Turn a need from the partner's menu (or an idea of one's own) into a care action."""

    CSS_PATH = style_path("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "commit", "Add care action"),
    ]

    if TYPE_CHECKING:
        app = getters.app(CompanionAppType)

    def __init__(
        self,
        partner: str,
        need_text: str | None = None,
        *,
        origin: str | None = None,
        rhythm: str = m.DAILY,
    ) -> None:
        """`need_text`, in the partner's words, prefills what to do in the giver's; `origin`
        says where it came from; `rhythm` is offered unless the words ask for another."""
        super().__init__()
        self.partner = partner
        self.need_text = need_text
        self.origin = origin
        self.title_text = adopting.giver_view(need_text, partner) if need_text else ""
        self.rhythm = adopting.suggested_rhythm(need_text or "", rhythm)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog care-dialog"):
            if self.need_text and self.origin:
                yield Static("Adopt as a care action", classes="dialog-title")
                yield Static(
                    f"{self.origin}: “{self.need_text}”",
                    classes="dialog-lead",
                    markup=False,
                )
            else:
                yield Static(
                    f"A care action for {self.partner}", classes="dialog-title", markup=False
                )
                yield Static(
                    "Something small and repeatable. Dependable beats perfect.",
                    classes="dialog-lead",
                )
            yield Label("What you'll do")
            yield Input(
                value=self.title_text,
                placeholder="e.g. a check-in text on stressful days",
                id="care-title",
            )
            yield Label("How often")
            yield CadencePicker(*self.rhythm, id="cadence")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Add care action", id="commit", variant="primary")
        yield Footer(compact=True)

    @on(Input.Submitted, "#care-title")
    def _title_done(self) -> None:
        self.query_one(CadencePicker).query_one("RadioSet").focus()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#commit")
    def action_commit(self) -> None:
        title = self.query_one("#care-title", Input).value.strip()
        try:
            if not title:
                raise UsageError("Say what you'll do, in a few words.")
            cadence = self.query_one(CadencePicker).cadence
        except CompanionError as exc:
            self.app.show_error(exc)
            return
        self.dismiss(CareChoice(title, cadence))


class PassphraseDialog(ModalScreen["str | None"]):
    """A new passphrase, typed twice; the dialog only checks that the two agree."""

    CSS_PATH = style_path("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "commit", "Change it"),
    ]

    def __init__(self, partner: str) -> None:
        super().__init__()
        self.partner = partner

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog passphrase-dialog"):
            yield Static("Change the passphrase", classes="dialog-title")
            yield Static(
                f"It opens your space on every device, {self.partner}'s too: tell them the new "
                "one in person. Nothing is re-encrypted; only the lock on the key changes.",
                classes="dialog-lead",
                markup=False,
            )
            yield Label("New passphrase")
            yield Input(id="new-pass", password=True, placeholder="at least 8 characters")
            yield Label("The same again")
            yield Input(id="new-pass-again", password=True, placeholder="to be sure")
            yield Static(id="pass-error", classes="dialog-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Change passphrase", id="commit", variant="primary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#new-pass", Input).focus()

    @on(Input.Submitted, "#new-pass")
    def _first_done(self) -> None:
        self.query_one("#new-pass-again", Input).focus()

    @on(Input.Submitted, "#new-pass-again")
    @on(Button.Pressed, "#commit")
    def action_commit(self) -> None:
        first = self.query_one("#new-pass", Input).value
        again = self.query_one("#new-pass-again", Input).value
        error = self.query_one("#pass-error", Static)
        if not first:
            error.update("Type the new passphrase first.")
            self.query_one("#new-pass", Input).focus()
        elif first != again:
            error.update("The two are different. Type the same one twice.")
            self.query_one("#new-pass-again", Input).clear()
            self.query_one("#new-pass-again", Input).focus()
        else:
            self.dismiss(first)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class WordsDialog(ModalScreen["str | None"]):
    """A few words of the receiver's own beside their word on a care action: what would
    help instead. Empty takes words said before back; Esc changes nothing."""

    CSS_PATH = style_path("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, partner: str, title: str, said: str | None) -> None:
        super().__init__()
        self.partner, self.title_text, self.said = partner, title, said

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog words-dialog"):
            yield Static(f"A few words for {self.partner}", classes="dialog-title", markup=False)
            yield Static(
                f"On “{self.title_text}”: what would help instead? {self.partner} sees it "
                "beside your word on their Care screen.",
                classes="dialog-lead",
                markup=False,
            )
            yield Input(
                value=self.said or "",
                placeholder="e.g. a text before you leave work",
                id="words",
                max_length=200,
            )
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Send these words", id="commit", variant="primary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#words", Input).focus()

    @on(Input.Submitted, "#words")
    @on(Button.Pressed, "#commit")
    def _commit(self) -> None:
        self.dismiss(self.query_one("#words", Input).value.strip())

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
