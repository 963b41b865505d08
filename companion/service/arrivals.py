"""What a sync pass brought from the partner, by kind: one reading for every front end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from companion.domain import model as m
from companion.domain.records import Record

if TYPE_CHECKING:
    from companion.service.core import SessionCore

# The kinds of arrival, in the order they are told.
NOTE = "note"
LANDED = "landed"
CHECKIN_OPEN = "checkin-open"
CHECKIN_SHARED = "checkin-shared"
AGREEMENT_ACCEPTED = "agreement-accepted"
AGREEMENT_PROPOSED = "agreement-proposed"
MENU = "menu"
CARE = "care"
REVIEW = "review"
JOINED = "joined"


@dataclass
class Arrivals:
    """The kinds that came from the partner (each once, in order), the partner's new notes
    to me, and how many other changes came (mostly from my own other devices). A partner's
    ticks and rests are never among them: they are theirs (DESIGN §10)."""

    kinds: list[str] = field(default_factory=list)
    notes: list[Record] = field(default_factory=list)
    others: int = 0

    def add(self, kind: str) -> None:
        if kind not in self.kinds:
            self.kinds.append(kind)


def _kind(record: Record, me: str, partner: str | None) -> str | None:
    kind, author = record.type, record.author
    if kind == m.GRATITUDE and author == partner and not record.get("read"):
        return NOTE
    if kind == m.GRATITUDE and author == me and record.get("landed"):
        return LANDED
    if kind == m.CHECKIN and author == partner:
        return CHECKIN_OPEN if record.get("key") else CHECKIN_SHARED
    if kind == m.AGREEMENT and record.get("accepted_by") == partner:
        return AGREEMENT_ACCEPTED
    if kind == m.AGREEMENT and author == partner and record.get("status") == m.PROPOSED:
        return AGREEMENT_PROPOSED
    if author != partner:
        return None
    return {m.NEED: MENU, m.CARE: CARE, m.REVIEW: REVIEW}.get(kind)


def arrivals(session: SessionCore, records: Iterable[Record]) -> Arrivals:
    """Sort what a pass imported (`SyncResult.imported`) into what the partner sent."""
    me, partner, mine = session.me, session.partner, session.device_id
    found = Arrivals()
    for record in records:
        kind = _kind(record, me, partner)
        if kind is None and record.type == m.PARTNER and record.id == partner:
            kind = JOINED
        if kind is not None:
            found.add(kind)
            if kind == NOTE:
                found.notes.append(record)
        elif record.type == m.TICK and record.author == partner:
            pass  # a partner's ticks and rests are theirs: never announced
        elif record.device != mine:
            found.others += 1
    return found
