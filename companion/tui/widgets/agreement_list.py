"""Agreements: proposed by one partner, accepted by the other, retired when they no longer fit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message

from companion.domain import model as m
from companion.tui.read.agreements import AgreementRow
from companion.tui.widgets.links import link
from companion.tui.widgets.record_list import RecordItem, RecordList


def status_text(row: AgreementRow, partner: str) -> str:
    if row.status == m.ACCEPTED:
        return f"agreed · proposed by {row.proposer}, accepted by {row.accepted_by or partner}"
    if row.status == m.RETIRED:
        return f"retired · proposed by {row.proposer}"
    if row.mine:
        return f"proposed by you · waiting for {partner}"
    return f"proposed by {row.proposer} · yours to accept"


def agreement_content(row: AgreementRow, partner: str, acceptable: bool) -> Content:
    text_style = "strike $text-muted" if row.status == m.RETIRED else ""
    meta_style = "$text-warning" if row.status == m.PROPOSED else "$text-muted"
    parts: list[Content | str | tuple[str, str]] = [
        Content.styled(row.text, text_style),
        "\n",
        (status_text(row, partner), meta_style),
    ]
    if acceptable:
        parts += ["  ", link("Accept", "accept")]
    return Content.assemble(*parts)


class AgreementItem(RecordItem):
    """One agreement, drawn by the row itself (one widget: a list may hold many)."""

    def __init__(self, row: AgreementRow, partner: str) -> None:
        super().__init__(record_id=row.id, shows=(row, partner), classes=f"agreement -{row.status}")
        self.row = row
        self.partner = partner

    @property
    def acceptable(self) -> bool:
        return self.row.status == m.PROPOSED and not self.row.mine

    def render(self) -> Content:
        return agreement_content(self.row, self.partner, self.acceptable)

    def action_accept(self) -> None:
        if self.acceptable:
            self.post_message(AgreementList.Accept(self.row.id))


class AgreementList(RecordList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "accept", "Accept"),
        Binding("r", "retire", "Retire"),
    ]

    @dataclass
    class Accept(Message):
        agreement_id: str

    @dataclass
    class Retire(Message):
        agreement_id: str
        text: str

    def _item(self) -> AgreementItem | None:
        item = self.current
        return item if isinstance(item, AgreementItem) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self._item()
        if action == "accept":
            return item is not None and item.acceptable
        if action == "retire":
            return item is not None and item.row.status != m.RETIRED
        return True

    def action_accept(self) -> None:
        item = self._item()
        if item is not None and item.acceptable:
            self.post_message(self.Accept(item.row.id))

    def action_retire(self) -> None:
        item = self._item()
        if item is not None and item.row.status != m.RETIRED:
            self.post_message(self.Retire(item.row.id, item.row.text))
