"""One week of Progress: the support each partner received, in words, as they felt it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from companion.tui.read.progress import PersonWeek, ProgressWeek, received_text

NAME_WIDTH = 10


def person_line(person: PersonWeek) -> Content:
    name = person.name if len(person.name) < NAME_WIDTH else person.name[: NAME_WIDTH - 2] + "…"
    received = received_text(person)
    received_part = Content(received) if received else Content.styled("–", "$text-muted")
    return Content.assemble("  ", (name.ljust(NAME_WIDTH), "bold"), received_part)


def week_content(week: ProgressWeek) -> Content:
    title = Content.styled(week.label, "bold")
    if week.current:
        title = Content.assemble(title, (" · this week", "$text-muted"))
    if week.checkin_held:
        title = Content.assemble(title, ("   ✓ check-in held together", "$text-success"))
    lines = [title]
    if week.quiet:
        lines.append(Content.styled("  A quiet week. That's allowed.", "$text-muted italic"))
    else:
        lines.extend(person_line(person) for person in week.people)
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

    def __init__(self, week: ProgressWeek) -> None:
        super().__init__(week_content(week), classes="week-card")
        self.week = week

    def show(self, week: ProgressWeek) -> None:
        if week != self.week:
            self.week = week
            self.update(week_content(week))
