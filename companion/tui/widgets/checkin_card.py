"""One partner's weekly check-in, read-only."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from companion.domain.checkin_fields import CHECKIN_QUESTIONS
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
    }
    """

    def __init__(
        self, title: str, answers: dict[str, Any], *, note: str | None = None, id: str | None = None
    ) -> None:
        """`note` stands in for answers this device can't read."""
        super().__init__(id=id)
        self.border_title = title
        self.answers = answers
        self.note = note

    def compose(self) -> ComposeResult:
        if self.note:
            yield Static(Content(self.note), classes="answer")
        first = True
        for field in CHECKIN_QUESTIONS:
            value = self.answers.get(field.name)
            if value in (None, ""):
                continue
            text = energy_text(value) if field.name == "energy" else str(value)
            yield Static(field.question, classes="question" + (" -first" if first else ""))
            yield Static(Content(text), classes="answer")
            first = False
