"""One week of Progress: the support each partner received as they felt it, the care each gave."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from companion.tui.read.progress import PersonWeek, ProgressWeek, given_text, received_text

NAME_WIDTH = 10
RECEIVED_WIDTH = 52
BAR_WIDTH = 10
BAR = "▮"


def bar(value: int, top: int) -> str:
    """A short bar of block characters, scaled to `top` (the busiest week shown)."""
    if value <= 0 or top <= 0:
        return ""
    return BAR * max(1, round(value / top * BAR_WIDTH))


def person_line(person: PersonWeek, top_given: int) -> Content:
    name = person.name if len(person.name) < NAME_WIDTH else person.name[: NAME_WIDTH - 2] + "…"
    received = received_text(person)
    given = given_text(person)
    if received:
        received_part = Content(received.ljust(RECEIVED_WIDTH))
    else:
        received_part = Content.styled("–".ljust(RECEIVED_WIDTH), "$text-muted")
    return Content.assemble(
        "  ",
        (name.ljust(NAME_WIDTH), "bold"),
        received_part,
        ("gave ", "$text-muted"),
        (bar(person.care_given, top_given), "$text-primary"),
        (" " if person.care_given else "") + (given or "–"),
    )


def week_content(week: ProgressWeek, top_given: int) -> Content:
    title = Content.styled(week.label, "bold")
    if week.current:
        title = Content.assemble(title, (" · this week", "$text-muted"))
    if week.checkin_held:
        title = Content.assemble(title, ("   ✓ check-in held together", "$text-success"))
    lines = [title]
    if week.quiet:
        lines.append(Content.styled("  A quiet week. That's allowed.", "$text-muted italic"))
    else:
        lines.extend(person_line(person, top_given) for person in week.people)
    for person in week.people:
        for victory in person.victories:
            lines.append(
                Content.assemble(
                    "  ", ("★ ", "$text-accent bold"), (f"{person.name}: {victory}", "$text-accent")
                )
            )
    return Content("\n").join(lines)


class WeekCard(Static):
    """A week, newest first in the Progress screen."""

    def __init__(self, week: ProgressWeek, top_given: int) -> None:
        super().__init__(week_content(week, top_given), classes="week-card")
        self.week = week
        self.top_given = top_given

    def show(self, week: ProgressWeek, top_given: int) -> None:
        if (week, top_given) != (self.week, self.top_given):
            self.week, self.top_given = week, top_given
            self.update(week_content(week, top_given))
