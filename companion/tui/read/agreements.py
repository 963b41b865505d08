"""What Agreements shows: ours, those waiting for my answer first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.domain import consent
from companion.domain import model as m
from companion.domain.text import inert
from companion.tui.read.tonight import People, people

if TYPE_CHECKING:
    from companion.domain.records import Record
    from companion.service import Session


@dataclass(frozen=True)
class AgreementRow:
    id: str
    text: str
    status: str  # consent.state: proposed, accepted, retiring or retired
    proposer: str
    mine: bool
    accepted_by: str | None
    # who proposed, accepted, asked to retire it, would like to talk first (in words)
    story: str = ""
    asked_of_me: bool = False  # my answer is awaited: to a proposal, or to retiring it
    i_retired: bool = False  # I've asked to retire it (or agreed to)
    i_talk: bool = False  # I've said "let's talk first"
    they_talk: bool = False  # my partner has said "let's talk first"


@dataclass(frozen=True)
class Agreements:
    people: People
    rows: list[AgreementRow]


def agreements(session: Session) -> Agreements:
    me, partner = session.me, session.partner

    def name(partner_id: str) -> str:
        return inert(session.name_of(partner_id))

    def asked(record: Record) -> bool:
        state = consent.state(record)
        if state == m.PROPOSED:
            return record.author != me
        return state == consent.RETIRING and not consent.has_retired(record, me)

    def order(record: Record) -> tuple[int, str]:
        state = consent.state(record)
        if asked(record):
            return (0, record.created)
        rank = {m.PROPOSED: 1, consent.RETIRING: 1, m.ACCEPTED: 2}
        return (rank.get(state, 3), record.created)

    rows = [
        AgreementRow(
            id=a.id,
            text=inert(a.get("text", ""), multiline=True),
            status=consent.state(a),
            proposer=name(a.author),
            mine=a.author == me,
            accepted_by=name(a.get("accepted_by")) if a.get("accepted_by") else None,
            story=" · ".join(consent.story(a, me, partner, name)),
            asked_of_me=asked(a),
            i_retired=consent.has_retired(a, me),
            i_talk=consent.wants_to_talk(a, me),
            they_talk=bool(partner) and consent.wants_to_talk(a, partner or ""),
        )
        for a in sorted(session.core(m.AGREEMENT), key=order)
    ]
    return Agreements(people(session), rows)
