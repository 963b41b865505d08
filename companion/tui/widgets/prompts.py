"""This week's prompt for one step of the check-in: a thought to start from, shown above the
step's field; never a question that has to be answered."""

from __future__ import annotations

from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static


class StepPrompt(Static):
    """The week's prompt for the check-in field `step` (hidden for a step without one)."""

    DEFAULT_CSS = """
    StepPrompt {
        display: none;
        height: auto;
        color: $text-muted;
        text-style: italic;
    }
    StepPrompt.-shown {
        display: block;
    }
    """

    def __init__(self, step: str) -> None:
        super().__init__(classes="step-prompt")
        self.step = step

    def show_prompt(self, text: str | None) -> None:
        """Show this week's words, or nothing for a step without a prompt."""
        self.update(Content(text or ""))
        self.set_class(bool(text), "-shown")


class GuidedStep(Vertical):
    """A step's field with its prompt above it, in the form's answer column."""

    DEFAULT_CSS = """
    GuidedStep {
        height: auto;
    }
    """

    def __init__(self, step: str, *fields: Widget, id: str | None = None) -> None:
        super().__init__(StepPrompt(step), *fields, id=id)


def show_prompts(root: Widget, prompts: dict[str, str]) -> None:
    """Give every step prompt under `root` this week's words (by the step's field)."""
    for hint in root.query(StepPrompt):
        hint.show_prompt(prompts.get(hint.step))
