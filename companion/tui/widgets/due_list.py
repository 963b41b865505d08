"""Tonight's care actions, each ticked done or skipped (low energy) by key or by click.

Each row's Done / Skip / Undo are links in its text (one widget draws the list: row_list.py).
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message

from companion.domain import model as m
from companion.tui.read.tonight import DueRow
from companion.tui.widgets.links import link
from companion.tui.widgets.row_list import RowList

MARKS = {m.DONE: "✓", m.SKIPPED: "☾", None: "·"}
STATUS_WORDS = {m.DONE: "done", m.SKIPPED: "resting tonight", None: ""}


def due_content(row: DueRow, index: int) -> Content:
    """The mark, the action and its details, then links that tick it (or take it back)."""
    detail = row.cadence + (f" · for {row.receiver}" if row.receiver else "")
    if row.status:
        detail += f" · {STATUS_WORDS[row.status]}"
    mark = (MARKS[row.status], "$text-muted" if row.status == m.SKIPPED else "$text-success")
    title = (row.title, "$text-muted") if row.status == m.DONE else row.title
    links: list[str | Content]
    if row.status is None:
        links = [
            link("Done", f"mark_row({index},'done')"),
            "  ",
            link("Skip", f"mark_row({index},'skipped')"),
        ]
    else:
        links = [link("Undo", f"mark_row({index},'')")]
    # the details and the links on a line of their own, under the title: at 80 columns a
    # long title would otherwise push "Skip" onto a line by itself
    return Content.assemble(mark, " ", title, "\n  ", (detail, "$text-muted"), "   ", *links)


class DueList(RowList[DueRow]):
    """The giver's list for tonight. A skip is rest, not a failure."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "mark('done')", "Done"),
        Binding("s", "mark('skipped')", "Skip (low energy)"),
        Binding("u", "mark('')", "Undo"),
    ]

    class Marked(Message):
        """Tick an action for today: 'done', 'skipped', or None to take the tick back."""

        def __init__(self, action_id: str, status: str | None) -> None:
            super().__init__()
            self.action_id = action_id
            self.status = status

    def row_content(self, row: DueRow, index: int) -> Content:
        return due_content(row, index)

    def row_key(self, row: DueRow) -> str:
        return row.action_id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "mark":
            return True
        row = self.current
        if row is None:
            return False
        wanted = parameters[0] or None
        if wanted is None:
            return row.status is not None
        return row.status != wanted

    def action_mark(self, status: str) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Marked(row.action_id, status or None))

    def action_mark_row(self, index: int, status: str) -> None:
        """A click on one of a row's links: that row, ticked (or not) as the link says."""
        row = self.link_clicked(index)
        if row is not None:
            self.post_message(self.Marked(row.action_id, status or None))
