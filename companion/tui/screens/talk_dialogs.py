"""The dialogs of the check-in's "Talking it over" tab: how did that go, next week's focus."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Static

from companion.domain import model as m
from companion.domain.schema import MAX_TITLE
from companion.tui.resources import style_path


class Reflection(NamedTuple):
    words: str
    share: bool


class ReflectDialog(ModalScreen["Reflection | None"]):
    """How did that go? A few words, kept sealed for me unless I share them."""

    CSS_PATH = style_path("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Later")]

    def __init__(self, partner: str, said: str, *, shared: bool) -> None:
        super().__init__()
        self.partner, self.said, self.shared = partner, said, shared

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("How did that go?", classes="dialog-title")
            lead = (
                f"A few gentle words, for you. {self.partner} can't read them unless you share."
                if not self.shared
                else f"You've shared these with {self.partner}; a change is shared too."
            )
            yield Static(lead, classes="dialog-lead", markup=False)
            yield Input(
                value=self.said,
                placeholder="e.g. slower than I feared; I felt heard",
                id="words",
                max_length=m.MAX_TEXT,
            )
            yield Static("", id="reflect-error", classes="dialog-error", markup=False)
            with Horizontal(classes="buttons"):
                if not self.shared:
                    yield Button("Keep for me", id="keep")
                yield Button(f"Share with {self.partner}", id="share", variant="primary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#words", Input).focus()

    @on(Input.Submitted, "#words")
    def _submitted(self) -> None:
        self._done(share=self.shared)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self._done(share=event.button.id == "share")

    def _done(self, *, share: bool) -> None:
        words = self.query_one("#words", Input).value.strip()
        if not words:
            self.query_one("#reflect-error", Static).update(
                "A few words first; one line is enough."
            )
            return
        self.dismiss(Reflection(words, share))


class FocusDialog(ModalScreen["str | None"]):
    """One focus for next week, which both see and next week's check-in starts from."""

    CSS_PATH = style_path("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, partner: str, said: str) -> None:
        super().__init__()
        self.partner, self.said = partner, said

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("One focus for next week", classes="dialog-title")
            yield Static(
                f"Small and kind, something you'd both like to keep in mind. {self.partner} "
                "sees it too; if you both suggest one, the later shows first and the other "
                "stays beside it.",
                classes="dialog-lead",
                markup=False,
            )
            yield Input(
                value=self.said,
                placeholder="e.g. one slow evening together, phones away",
                id="focus-text",
                max_length=MAX_TITLE,
            )
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Suggest this focus", id="commit", variant="primary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#focus-text", Input).focus()

    @on(Input.Submitted, "#focus-text")
    @on(Button.Pressed, "#commit")
    def _commit(self) -> None:
        text = self.query_one("#focus-text", Input).value.strip()
        self.dismiss(text or None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
