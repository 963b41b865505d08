"""My care actions, each with how it went over recent weeks (consistency, never a streak)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from companion.tui.read.care import ActionRow
from companion.tui.widgets.record_list import RecordItem, RecordList

WEEK_COLUMN = 16


def consistency_table(row: ActionRow, width: int | None = None) -> Content:
    """Two lines: the weeks, and how each went, in columns; in `width` columns, as many of
    the latest weeks as fit whole (a narrow terminal shows fewer, never a wrapped row)."""
    widest = (max(len(c.label), len(c.text)) + 2 for c in row.weeks)
    column = max([WEEK_COLUMN if width is None else 8, *widest])
    weeks = row.weeks if width is None else row.weeks[-max(1, (width + 2) // column) :]
    labels = "".join(cell.label.ljust(column) for cell in weeks).rstrip()
    values = "".join(cell.text.ljust(column) for cell in weeks).rstrip()
    return Content.assemble((labels, "$text-muted"), "\n", values)


class WeekTable(Widget):
    """An action's recent weeks, as many as the width holds."""

    DEFAULT_CSS = "WeekTable { height: 2; }"

    def __init__(self, row: ActionRow) -> None:
        super().__init__(classes="weeks")
        self.row = row

    def render(self) -> Content:
        return consistency_table(self.row, self.content_size.width or None)


class ActionItem(RecordItem):
    def __init__(self, row: ActionRow) -> None:
        super().__init__(record_id=row.id, shows=row, classes="action")
        self.row = row

    def compose(self):
        row = self.row
        detail = row.cadence + (f" · for {row.receiver}" if row.receiver else "")
        if row.need:
            detail += f" · from their menu: {row.need}"
        yield Static(Content.styled(row.title, "bold"), classes="title")
        yield Static(Content.styled(detail, "$text-muted"), classes="detail")
        yield WeekTable(row)


class ActionList(RecordList):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "retire", "Retire")]

    @dataclass
    class Retire(Message):
        action_id: str
        title: str

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retire":
            return isinstance(self.current, ActionItem)
        return True

    def action_retire(self) -> None:
        item = self.current
        if isinstance(item, ActionItem):
            self.post_message(self.Retire(item.row.id, item.row.title))
