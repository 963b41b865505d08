"""The receiver's word on last week's care actions: landed, didn't reach me or not needed,
with a few words of their own (what would help instead)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static

from companion.domain.words import VERDICT_LABELS
from companion.tui.read.checkin import ReviewRow
from companion.tui.widgets.record_list import RecordItem, RecordList


class ReviewItem(RecordItem):
    def __init__(self, row: ReviewRow) -> None:
        super().__init__(record_id=row.action_id, shows=row, classes="review")
        self.row = row

    def compose(self):
        row = self.row
        with Horizontal():
            yield Static(
                Content.assemble(row.title, "  ", (row.cadence, "$text-muted")), classes="what"
            )
            for verdict, label in VERDICT_LABELS.items():
                button = Button(
                    label[:1].upper() + label[1:],
                    compact=True,
                    classes=f"verdict {verdict}" + (" -chosen" if row.verdict == verdict else ""),
                    name=verdict,
                )
                button.can_focus = False
                yield button
        if row.note:
            yield Static(
                Content.assemble(("what would help instead: ", "$text-muted"), row.note),
                classes="note",
            )


class ReviewList(RecordList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "verdict('landed')", "Landed"),
        Binding("m", "verdict('missed')", "Didn't reach me"),
        Binding("n", "verdict('not-needed')", "Not needed"),
        Binding("w", "words", "A few words", tooltip="What would help instead"),
    ]

    @dataclass
    class Verdict(Message):
        action_id: str
        verdict: str

    @dataclass
    class Words(Message):
        """The receiver would add a few words to their word on one action."""

        row: ReviewRow

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "verdict":
            return isinstance(self.current, ReviewItem)
        if action == "words":
            item = self.current
            return isinstance(item, ReviewItem) and item.row.verdict is not None
        return True

    def action_words(self) -> None:
        item = self.current
        if isinstance(item, ReviewItem) and item.row.verdict is not None:
            self.post_message(self.Words(item.row))

    def action_verdict(self, verdict: str) -> None:
        item = self.current
        if isinstance(item, ReviewItem):
            self.post_message(self.Verdict(item.row.action_id, verdict))

    @on(Button.Pressed, ".verdict")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        item = self.item_of(event.button)
        if isinstance(item, ReviewItem) and event.button.name:
            self.index = self._nodes.index(item)
            self.post_message(self.Verdict(item.row.action_id, event.button.name))
