"""A care menu: what care looks like for one partner, in their own words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message

from companion.tui.read.care import NeedRow
from companion.tui.widgets.links import link
from companion.tui.widgets.record_list import RecordItem, RecordList


class NeedItem(RecordItem):
    """One need, drawn by the row itself; on the partner's menu, with an "Adopt" link, or
    "Adopted" once one of my care actions comes from it."""

    def __init__(self, row: NeedRow, *, adoptable: bool) -> None:
        super().__init__(record_id=row.id, shows=(row, adoptable), classes="need")
        self.row = row
        self.adoptable = adoptable

    def render(self) -> Content:
        parts: list[Content | str | tuple[str, str]] = [Content(self.row.text)]
        if self.adoptable and self.row.adopted:
            parts.append(("  ✓ Adopted", "$text-success"))
        elif self.adoptable:
            parts += ["  ", link("Adopt", "adopt")]
        return Content.assemble(*parts)

    def action_adopt(self) -> None:
        if self.adoptable and not self.row.adopted:
            self.post_message(NeedList.Adopt(self.row.id, self.row.text))


class NeedList(RecordList):
    """My own menu (retire) or my partner's (adopt as a care action)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "adopt", "Adopt"),
        Binding("r", "retire", "Retire"),
    ]

    @dataclass
    class Adopt(Message):
        need_id: str
        text: str

    @dataclass
    class Retire(Message):
        need_id: str
        text: str

    def __init__(self, *, adoptable: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.adoptable = adoptable

    def _row(self) -> NeedRow | None:
        item = self.current
        return item.row if isinstance(item, NeedItem) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "adopt":
            row = self._row()
            return self.adoptable and row is not None and not row.adopted
        if action == "retire":
            return not self.adoptable and self._row() is not None
        return True

    def action_adopt(self) -> None:
        row = self._row()
        if row is not None and self.adoptable and not row.adopted:
            self.post_message(self.Adopt(row.id, row.text))

    def action_retire(self) -> None:
        row = self._row()
        if row is not None and not self.adoptable:
            self.post_message(self.Retire(row.id, row.text))
