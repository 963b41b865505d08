"""Gratitude's notes, each way: received ones can be marked "this landed", sent ones show how
they landed.

One widget draws all its notes (row_list.py), as Tonight's lists do: Gratitude shows up to a
hundred and twenty notes, and a widget per note made its first showing, and a note marked
landed, cost several times a bare screen switch (each widget is built, styled and laid out).
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message

from companion.tui.read.tonight import NoteRow
from companion.tui.widgets.new_notes import note_content
from companion.tui.widgets.row_list import RowList


class NoteList(RowList[NoteRow]):
    """Notes to me (`received`) or from me. Only a note I received can be marked landed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("l", "landed", "This landed")]
    ROW_GAP = 1

    class Landed(Message):
        def __init__(self, note_id: str) -> None:
            super().__init__()
            self.note_id = note_id

    def __init__(self, *, received: bool, id: str | None = None) -> None:
        self.received = received  # before the rows are first made (row_content reads it)
        super().__init__(id=id)

    def row_content(self, row: NoteRow, index: int) -> Content:
        return note_content(row, self.received, landed_action=f"landed_row({index})")

    def row_key(self, row: NoteRow) -> str:
        return row.id

    def _landable(self, row: NoteRow | None) -> NoteRow | None:
        return row if self.received and row is not None and not row.landed else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "landed":
            return self._landable(self.current) is not None
        return True

    def action_landed(self) -> None:
        row = self._landable(self.current)
        if row is not None:
            self.post_message(self.Landed(row.id))

    def action_landed_row(self, index: int) -> None:
        """A click on a note's "This landed" link."""
        row = self._landable(self.link_clicked(index))
        if row is not None:
            self.post_message(self.Landed(row.id))
