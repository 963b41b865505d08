"""One partner's weekly check-in, read-only; edited after the reveal, with what was first
read still there under each changed answer."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from companion.domain.checkin_fields import CHECKIN_QUESTIONS, PAIRED
from companion.tui.read.checkin import energy_text


class CheckinCard(VerticalScroll):
    """A check-in's answers under their questions; unanswered optional ones are left out."""

    DEFAULT_CSS = """
    CheckinCard {
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text-primary;
        padding: 0 1;
        & > .question { color: $text-muted; margin-top: 1; }
        & > .question.-first { margin-top: 0; }
        & > .first-read { color: $text-muted; text-style: italic; }
    }
    """

    def __init__(
        self,
        title: str,
        answers: dict[str, Any],
        *,
        note: str | None = None,
        first: dict[str, Any] | None = None,
        first_label: str = "first read",
        id: str | None = None,
    ) -> None:
        """`note` stands in for answers this device can't read; `first`, the answers as they
        were first read, when they were edited after the reveal."""
        super().__init__(id=id)
        # Content, not markup: the title names a partner, whose name may hold brackets
        self.border_title = Content(title + (" · edited" if first is not None else ""))
        self.answers = answers
        self.note = note
        self.first = first
        self.first_label = first_label

    def compose(self) -> ComposeResult:
        if self.note:
            yield Static(Content(self.note), classes="answer")
        first = True
        for field in CHECKIN_QUESTIONS:
            if field.name in PAIRED:
                continue  # read beside each other on "Talking it over"
            value = self.answers.get(field.name)
            before = None if self.first is None else self.first.get(field.name)
            if value in (None, "") and before in (None, ""):
                continue
            yield Static(field.question, classes="question" + (" -first" if first else ""))
            first = False
            if value not in (None, ""):
                yield Static(Content(_shown(field.name, value)), classes="answer")
            else:
                yield Static(Content("(taken out in the edit)"), classes="first-read")
            if self.first is not None and before != value and before not in (None, ""):
                yield Static(
                    Content(f"{self.first_label}: {_shown(field.name, before)}"),
                    classes="first-read",
                )


def _shown(name: str, value: Any) -> str:
    return energy_text(value) if name == "energy" else str(value)
