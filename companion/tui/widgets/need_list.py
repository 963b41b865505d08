"""A care menu: what care looks like for one partner, in their own words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static

from companion.tui.data import NeedRow
from companion.tui.widgets.record_list import RecordItem, RecordList


class NeedItem(RecordItem):
    def __init__(self, row: NeedRow, *, adoptable: bool) -> None:
        super().__init__(record_id=row.id, shows=(row, adoptable), classes="need")
        self.row = row
        self.adoptable = adoptable

    def compose(self):
        with Horizontal():
            text = Content(self.row.text)
            if self.row.adopted:
                text = Content.assemble(text, ("  · you do this", "$text-success"))
            yield Static(text, classes="text")
            if self.adoptable:
                button = Button("Adopt", compact=True, classes="adopt")
                button.can_focus = False
                yield button


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
            return self.adoptable and self._row() is not None
        if action == "retire":
            return not self.adoptable and self._row() is not None
        return True

    def action_adopt(self) -> None:
        row = self._row()
        if row is not None and self.adoptable:
            self.post_message(self.Adopt(row.id, row.text))

    def action_retire(self) -> None:
        row = self._row()
        if row is not None and not self.adoptable:
            self.post_message(self.Retire(row.id, row.text))

    @on(Button.Pressed, ".adopt")
    def _adopt(self, event: Button.Pressed) -> None:
        event.stop()
        item = self.item_of(event.button)
        if isinstance(item, NeedItem):
            self.index = self._nodes.index(item)
            self.post_message(self.Adopt(item.row.id, item.row.text))
