"""Agreements: proposed by one partner, accepted by the other, retired when both agree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message

from companion.domain import consent
from companion.domain import model as m
from companion.tui.read.agreements import AgreementRow
from companion.tui.widgets.links import link
from companion.tui.widgets.record_list import RecordItem, RecordList


def status_text(row: AgreementRow, partner: str) -> str:
    """Where the agreement stands, and whose word it waits for, as the reader is told."""
    talk = f" · {partner} would like to talk first" if row.they_talk else ""
    if row.status == m.ACCEPTED:
        return f"agreed · {row.story}"
    if row.status == m.RETIRED:
        return f"retired · {row.story}"
    verb = "retire this" if row.accepted_by else "withdraw this proposal"
    if row.status == consent.RETIRING and row.i_retired:
        return f"you asked to {verb} · waiting for {partner} to agree{talk}"
    if row.status == consent.RETIRING:
        mine = " · you'd like to talk first" if row.i_talk else ""
        return f"{partner} would like to {verb}{mine}"
    if row.mine:
        return f"proposed by you · waiting for {partner}{talk}"
    mine = " · you'd like to talk first" if row.i_talk else ""
    return f"proposed by {row.proposer} · yours to answer{mine}"


def may_retire(row: AgreementRow) -> bool:
    """Whether the reader may ask to retire it (or withdraw their own proposal) now."""
    if row.status in (m.RETIRED, consent.RETIRING) or row.asked_of_me or row.i_retired:
        return False
    return row.mine or row.status == m.ACCEPTED


def agreement_content(row: AgreementRow, partner: str, acceptable: bool) -> Content:
    text_style = "strike $text-muted" if row.status == m.RETIRED else ""
    waiting = row.status in (m.PROPOSED, consent.RETIRING)
    meta_style = "$text-warning" if waiting else "$text-muted"
    parts: list[Content | str | tuple[str, str]] = [
        Content.styled(row.text, text_style),
        "\n",
        (status_text(row, partner), meta_style),
    ]
    if acceptable:
        parts += ["  ", link("Agree" if row.status == consent.RETIRING else "Accept", "accept")]
        if not row.i_talk:
            parts += ["  ", link("Let's talk first", "talk")]
    return Content.assemble(*parts)


class AgreementItem(RecordItem):
    """One agreement, drawn by the row itself (one widget: a list may hold many)."""

    def __init__(self, row: AgreementRow, partner: str) -> None:
        super().__init__(record_id=row.id, shows=(row, partner), classes=f"agreement -{row.status}")
        self.row = row
        self.partner = partner

    @property
    def acceptable(self) -> bool:
        """Whether the reader's answer is awaited: to a proposal, or to retiring it."""
        return self.row.asked_of_me

    def render(self) -> Content:
        return agreement_content(self.row, self.partner, self.acceptable)

    def action_accept(self) -> None:
        if self.acceptable:
            self.post_message(AgreementList.answer(self.row))

    def action_talk(self) -> None:
        if self.acceptable and not self.row.i_talk:
            self.post_message(AgreementList.Talk(self.row.id))


class AgreementList(RecordList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "accept", "Agree"),
        Binding("l", "talk", "Let's talk"),
        Binding("r", "retire", "Retire"),
    ]

    @dataclass
    class Accept(Message):
        """Accept the partner's proposal."""

        agreement_id: str

    @dataclass
    class Talk(Message):
        """Say "let's talk first" to what the partner asks."""

        agreement_id: str

    @dataclass
    class Retire(Message):
        """Ask to retire it (withdraw one's own proposal), or agree to the partner's asking."""

        agreement_id: str
        text: str
        agreeing: bool = False
        proposal: bool = False

    @staticmethod
    def answer(row: AgreementRow) -> Message:
        """ "Agree" to what the partner asks: their proposal, or retiring the agreement."""
        if row.status == consent.RETIRING:
            return AgreementList.Retire(row.id, row.text, agreeing=True)
        return AgreementList.Accept(row.id)

    def _item(self) -> AgreementItem | None:
        item = self.current
        return item if isinstance(item, AgreementItem) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self._item()
        if action == "accept":
            return item is not None and item.acceptable
        if action == "talk":
            return item is not None and item.acceptable and not item.row.i_talk
        if action == "retire":
            return item is not None and may_retire(item.row)
        return True

    def action_accept(self) -> None:
        item = self._item()
        if item is not None and item.acceptable:
            self.post_message(self.answer(item.row))

    def action_talk(self) -> None:
        item = self._item()
        if item is not None:
            item.action_talk()

    def action_retire(self) -> None:
        item = self._item()
        if item is not None and may_retire(item.row):
            proposal = item.row.status == m.PROPOSED
            self.post_message(self.Retire(item.row.id, item.row.text, proposal=proposal))
