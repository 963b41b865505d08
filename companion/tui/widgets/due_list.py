"""Tonight's care actions, each ticked done or skipped (low energy) by key or by click."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static

from companion.domain import model as m
from companion.tui.data import DueRow
from companion.tui.widgets.record_list import RecordItem, RecordList

MARKS = {m.DONE: "✓", m.SKIPPED: "☾", None: "·"}
STATUS_WORDS = {m.DONE: "done", m.SKIPPED: "resting tonight", None: ""}


class DueItem(RecordItem):
    def __init__(self, row: DueRow) -> None:
        super().__init__(record_id=row.action_id, shows=row, classes=f"due -{row.status or 'open'}")
        self.row = row

    def compose(self):
        row = self.row
        detail = row.cadence + (f" · for {row.receiver}" if row.receiver else "")
        if row.status:
            detail += f" · {STATUS_WORDS[row.status]}"
        with Horizontal():
            yield Static(MARKS[row.status], classes="mark")
            yield Static(Content.assemble(row.title, "  ", (detail, "$text-muted")), classes="what")
            if row.status is None:
                yield Button("Done", compact=True, classes="done", variant="success")
                yield Button("Skip", compact=True, classes="skip")
            else:
                yield Button("Undo", compact=True, classes="undo")
        for button in self.query(Button):
            button.can_focus = False


class DueList(RecordList):
    """The giver's list for tonight. A skip is rest, not a failure."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "mark('done')", "Done"),
        Binding("s", "mark('skipped')", "Skip (low energy)"),
        Binding("u", "mark('')", "Undo"),
    ]

    @dataclass
    class Marked(Message):
        """Tick an action for today: 'done', 'skipped', or None to take the tick back."""

        action_id: str
        status: str | None

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

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        item = self.item_of(event.button)
        if not isinstance(item, DueItem):
            return
        status = {"done": m.DONE, "skip": m.SKIPPED}.get(
            next((c for c in event.button.classes if c in ("done", "skip", "undo")), "undo")
        )
        self.index = self._nodes.index(item)
        self.post_message(self.Marked(item.row.action_id, status))
