"""Gratitude notes: received ones can be marked "this landed", sent ones show how they landed.

A note is a single widget that draws its own text: Gratitude shows up to a hundred and twenty
of them and every widget costs memory, so "This landed" is a link in the text rather than a
button of its own.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message

from companion.tui.read.tonight import NoteRow
from companion.tui.widgets.new_notes import note_content
from companion.tui.widgets.record_list import RecordItem, RecordList


class NoteItem(RecordItem):
    """The note, who and when, and (for one received) a "This landed" link."""

    def __init__(self, row: NoteRow, *, received: bool) -> None:
        flags = " -new" if row.new else ""
        super().__init__(record_id=row.id, shows=(row, received), classes=f"note{flags}")
        self.row = row
        self.received = received
        self.content = note_content(row, received)

    def render(self) -> Content:
        return self.content

    def action_landed(self) -> None:
        if self.received and not self.row.landed:
            self.post_message(NoteList.Landed(self.row.id))


class NoteList(RecordList):
    """Notes to or from me. Only a note I received can be marked as landed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("l", "landed", "This landed")]

    class Landed(Message):
        def __init__(self, note_id: str) -> None:
            super().__init__()
            self.note_id = note_id

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
