"""Dialogs of the evening's moments: calling a pause, asking for support, answering it, and
the repair step after a pause."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from companion.tui.read.moments import MenuItem
from companion.tui.resources import style_path


class PauseChoice(NamedTuple):
    minutes: int | None
    until: str | None
    note: str


class PauseDialog(ModalScreen["PauseChoice | None"]):
    """ "I need a pause; back at 21:30": how long, and a word for the partner."""

    CSS_PATH = style_path("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("I need a pause", classes="dialog-title")
            yield Static(
                "Twenty minutes at least: that's about how long a racing heart takes to "
                "settle. Back within a day, so no one is left waiting.",
                classes="dialog-lead",
            )
            yield Label("Back in (minutes), or at (HH:MM)")
            yield Input(value="30", id="pause-length")
            yield Label("A word for your partner (optional)")
            yield Input(placeholder="e.g. I'm going for a walk", id="pause-note")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Pause", id="commit", variant="primary")
        yield Footer(compact=True)

    @on(Input.Submitted, "#pause-length")
    def _length_done(self) -> None:
        self.query_one("#pause-note", Input).focus()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#pause-note")
    @on(Button.Pressed, "#commit")
    def _commit(self) -> None:
        length = self.query_one("#pause-length", Input).value.strip()
        note = self.query_one("#pause-note", Input).value.strip()
        if length.isdigit():
            self.dismiss(PauseChoice(int(length), None, note))
        else:
            self.dismiss(PauseChoice(None, length, note))


class WordDialog(ModalScreen["str | None"]):
    """One line of words: a word with a request for support, or an answer in my own words."""

    CSS_PATH = style_path("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, lead: str, placeholder: str, commit: str) -> None:
        super().__init__()
        self.title_text, self.lead, self.placeholder, self.commit = title, lead, placeholder, commit

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.lead, classes="dialog-lead", markup=False)
            yield Input(placeholder=self.placeholder, id="word")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.commit, id="commit", variant="primary")
        yield Footer(compact=True)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#word")
    @on(Button.Pressed, "#commit")
    def _commit(self) -> None:
        self.dismiss(self.query_one("#word", Input).value.strip())


class AnswerDialog(ModalScreen["str | None"]):
    """Answer a request for support with one act from the asker's care menu."""

    CSS_PATH = style_path("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, asker: str, menu: list[MenuItem]) -> None:
        super().__init__()
        self.asker, self.menu = asker, menu

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"What you'll do for {self.asker} tonight", classes="dialog-title")
            yield Static(
                f"One thing from {self.asker}'s care menu: what care looks like for them.",
                classes="dialog-lead",
                markup=False,
            )
            yield OptionList(*(Option(item.text, id=item.need_id) for item in self.menu))
        yield Footer(compact=True)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class RepairChoice(NamedTuple):
    again: str
    understood: str
    share: bool


class RepairDialog(ModalScreen["RepairChoice | None"]):
    """After a pause: what I'd like to try again, one thing I understand better now."""

    CSS_PATH = style_path("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Later")]

    def __init__(self, partner: str, agreement: str | None) -> None:
        super().__init__()
        self.partner, self.agreement = partner, agreement

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Coming back together", classes="dialog-title")
            lead = "Gently, in your own time. Your answers stay yours unless you share them."
            if self.agreement:
                lead += f"\nYour agreement: “{self.agreement}”"
            yield Static(lead, classes="dialog-lead", markup=False)
            yield Label("What I'd like to try again")
            yield Input(placeholder="e.g. say what I need before I'm exhausted", id="again")
            yield Label("One thing I understand better now")
            yield Input(placeholder="e.g. you were worried, not angry", id="understood")
            with Horizontal(classes="buttons"):
                yield Button("Keep for me", id="keep")
                yield Button(f"Share with {self.partner}", id="share", variant="primary")
        yield Footer(compact=True)

    @on(Input.Submitted, "#again")
    def _again_done(self) -> None:
        self.query_one("#understood", Input).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        again = self.query_one("#again", Input).value.strip()
        understood = self.query_one("#understood", Input).value.strip()
        self.dismiss(RepairChoice(again, understood, event.button.id == "share"))
