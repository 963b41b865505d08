"""How a gratitude note reads, and Tonight's list of the notes new to me.

Tonight's list is one widget (row_list.py): it is on the way to the app's first paint.
Gratitude's longer lists are note_list.py's.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message

from companion.tui.read.tonight import NoteRow
from companion.tui.widgets.links import link
from companion.tui.widgets.row_list import RowList


def note_content(row: NoteRow, received: bool, landed_action: str = "landed") -> Content:
    """The note, who and when, and for one received a "This landed" link (`landed_action`)."""
    if received:
        meta = f"from {row.author} · {row.when}" + (" · new" if row.new else "")
    else:
        # Whether they have read it is theirs to know: no read receipts. "Landed" they say.
        meta = f"to {row.to} · {row.when}"
    parts: list[Content | str | tuple[str, str]] = [Content(row.text), "\n", (meta, "$text-muted")]
    if row.landed:
        parts += ["  ", ("♥ landed", "$text-success")]
    elif received:
        parts += ["  ", link("This landed", landed_action)]
    return Content.assemble(*parts)


class NewNotes(RowList[NoteRow]):
    """The notes my partner sent since I last looked; each can be marked "this landed"."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("l", "landed", "This landed")]
    ROW_GAP = 1

    class Landed(Message):
        def __init__(self, note_id: str) -> None:
            super().__init__()
            self.note_id = note_id

    def row_content(self, row: NoteRow, index: int) -> Content:
        return note_content(row, received=True, landed_action=f"landed_row({index})")

    def row_key(self, row: NoteRow) -> str:
        return row.id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "landed":
            row = self.current
            return row is not None and not row.landed
        return True

    def action_landed(self) -> None:
        row = self.current
        if row is not None and not row.landed:
            self.post_message(self.Landed(row.id))

    def action_landed_row(self, index: int) -> None:
        """A click on a row's "This landed" link."""
        row = self.link_clicked(index)
        if row is not None and not row.landed:
            self.post_message(self.Landed(row.id))
