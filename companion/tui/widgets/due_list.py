"""Tonight's care actions, each ticked done or skipped (low energy) by key or by click."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message

from companion.domain import model as m
from companion.tui.tonight_data import DueRow
from companion.tui.widgets.record_list import RecordItem, RecordList

MARKS = {m.DONE: "✓", m.SKIPPED: "☾", None: "·"}
STATUS_WORDS = {m.DONE: "done", m.SKIPPED: "resting tonight", None: ""}


def due_content(row: DueRow) -> Content:
    """The mark, the action and its details, then links that tick it (or take it back)."""
    detail = row.cadence + (f" · for {row.receiver}" if row.receiver else "")
    if row.status:
        detail += f" · {STATUS_WORDS[row.status]}"
    mark = (MARKS[row.status], "$text-muted" if row.status == m.SKIPPED else "$text-success")
    title = (row.title, "$text-muted") if row.status == m.DONE else row.title
    if row.status is None:
        links = "[@click=mark('done')][u]Done[/u][/]  [@click=mark('skipped')][u]Skip[/u][/]"
    else:
        links = "[@click=mark('')][u]Undo[/u][/]"
    return Content.assemble(
        mark, " ", title, "  ", (detail, "$text-muted"), "   ", Content.from_markup(links)
    )


class DueItem(RecordItem):
    """One action due tonight: a single widget that draws its own line (Tonight is the
    first screen painted, and every widget costs start-up time), its buttons being links."""

    def __init__(self, row: DueRow) -> None:
        super().__init__(record_id=row.action_id, shows=row, classes=f"due -{row.status or 'open'}")
        self.row = row
        self.content = due_content(row)

    def render(self) -> Content:
        return self.content

    def action_mark(self, status: str) -> None:
        parent = self.parent
        if isinstance(parent, DueList):
            parent.mark_item(self, status or None)


class DueList(RecordList):
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

    def _row(self) -> DueRow | None:
        item = self.current
        return item.row if isinstance(item, DueItem) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "mark":
            return True
        row = self._row()
        if row is None:
            return False
        wanted = parameters[0] or None
        if wanted is None:
            return row.status is not None
        return row.status != wanted

    def action_mark(self, status: str) -> None:
        row = self._row()
        if row is not None:
            self.post_message(self.Marked(row.action_id, status or None))

    def mark_item(self, item: DueItem, status: str | None) -> None:
        """A click on one of a row's links: that row, ticked (or not) as the link says."""
        if item in self._nodes:
            self.index = self._nodes.index(item)
        self.post_message(self.Marked(item.row.action_id, status))
