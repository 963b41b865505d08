"""What Agreements shows: ours, those waiting for my answer first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    status: str
    proposer: str
    mine: bool
    accepted_by: str | None


@dataclass(frozen=True)
class Agreements:
    people: People
    rows: list[AgreementRow]


def agreements(session: Session) -> Agreements:
    me = session.me

    def order(record: Record) -> tuple[int, str]:
        status = record.get("status")
        if status == m.PROPOSED:
            return (0 if record.author != me else 1, record.created)
        return (2 if status == m.ACCEPTED else 3, record.created)

    rows = [
        AgreementRow(
            id=a.id,
            text=inert(a.get("text", ""), multiline=True),
            status=a.get("status", m.PROPOSED),
            proposer=inert(session.name_of(a.author)),
            mine=a.author == me,
            accepted_by=(
                inert(session.name_of(a.get("accepted_by"))) if a.get("accepted_by") else None
            ),
        )
        for a in sorted(session.core(m.AGREEMENT), key=order)
    ]
    return Agreements(people(session), rows)
