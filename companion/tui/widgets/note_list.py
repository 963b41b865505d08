"""Gratitude notes: received ones can be marked "this landed", sent ones show how they landed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static

from companion.tui.data import NoteRow
from companion.tui.widgets.record_list import RecordItem, RecordList


class NoteItem(RecordItem):
    def __init__(self, row: NoteRow, *, received: bool) -> None:
        flags = " -new" if row.new else ""
        super().__init__(record_id=row.id, shows=(row, received), classes=f"note{flags}")
        self.row = row
        self.received = received

    def compose(self):
        row = self.row
        if self.received:
            meta = f"from {row.author} · {row.when}"
            if row.new:
                meta += " · new"
        else:
            meta = f"to {row.to} · {row.when}"
            if row.read and not row.landed:
                meta += " · read"
        with Horizontal():
            with Vertical(classes="body"):
                yield Static(row.text, classes="text", markup=False)
                yield Static(Content.styled(meta, "$text-muted"), classes="meta")
            if row.landed:
                yield Static("♥ landed", classes="landed")
            elif self.received:
                button = Button("This landed", compact=True, classes="land")
                button.can_focus = False
                yield button


class NoteList(RecordList):
    """Notes to or from me. Only a note I received can be marked as landed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("l", "landed", "This landed")]

    @dataclass
    class Landed(Message):
        note_id: str

    def _received(self) -> NoteItem | None:
        item = self.current
        if isinstance(item, NoteItem) and item.received and not item.row.landed:
            return item
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "landed":
            return self._received() is not None
        return True

    def action_landed(self) -> None:
        item = self._received()
        if item is not None:
            self.post_message(self.Landed(item.row.id))

    @on(Button.Pressed, ".land")
    def _land(self, event: Button.Pressed) -> None:
        event.stop()
        item = self.item_of(event.button)
        if isinstance(item, NoteItem):
            self.index = self._nodes.index(item)
            self.post_message(self.Landed(item.row.id))
