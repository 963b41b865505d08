"""What a sync pass brought from the partner: one reading for the app, `watch` and notifications.

Each record is read as it is now, after the whole pass, so nothing describes a change that a
later one in the same pass undid (a care action already retired, a note taken back). Every
arrival has a kind (what notifications choose from, content-free) and the app's own sentence
for it. A partner's ticks and rests are never among them: they are theirs (DESIGN §10).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from companion.domain import consent
from companion.domain import model as m
from companion.domain.records import Record
from companion.domain.sealed_fields import key_opens
from companion.domain.text import inert

if TYPE_CHECKING:
    from companion.service.core import SessionCore

# The kinds of arrival.
NOTE = "note"
LANDED = "landed"
CHECKIN_OPEN = "checkin-open"
CHECKIN_SHARED = "checkin-shared"
CHECKIN_EDITED = "checkin-edited"
AGREEMENT_PROPOSED = "agreement-proposed"
AGREEMENT_ACCEPTED = "agreement-accepted"
AGREEMENT_TALK = "agreement-talk"
AGREEMENT_RETIRE_ASKED = "agreement-retire-asked"
AGREEMENT_RETIRED = "agreement-retired"
MENU = "menu"
CARE = "care"
CARE_RETIRED = "care-retired"
REVIEW = "review"
JOINED = "joined"
PAUSE = "pause"
PAUSE_ENDED = "pause-ended"
SUPPORT_ASKED = "support-asked"
SUPPORT_ANSWERED = "support-answered"
REPAIR = "repair"
FOCUS = "focus"
REFLECTION = "reflection"

# Where an agreement stands → the kind of its arrival (talk-first is told before its state).
_AGREEMENT_KINDS = {
    m.RETIRED: AGREEMENT_RETIRED,
    consent.RETIRING: AGREEMENT_RETIRE_ASKED,
    m.ACCEPTED: AGREEMENT_ACCEPTED,
    m.PROPOSED: AGREEMENT_PROPOSED,
}


@dataclass
class Arrivals:
    """The kinds that came from the partner (each once, in order) with the app's sentence
    for each, the partner's new notes to me, and how many other changes came (mostly from my
    own other devices)."""

    kinds: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    notes: list[Record] = field(default_factory=list)
    others: int = 0

    def add(self, kind: str, text: str) -> None:
        if kind not in self.kinds:
            self.kinds.append(kind)
        if text not in self.said:
            self.said.append(text)


def _moment(record: Record, partner: str | None, name: str) -> tuple[str, str] | None:
    """A pause, a request for support or its answer, a shared repair step."""
    if record.type == m.SUPPORT and record.author != partner:
        answer = record.get("answer")
        return (SUPPORT_ANSWERED, f"{name} answered: “{inert(answer)}”") if answer else None
    if record.author != partner:
        return None
    if record.type == m.PAUSE:
        if record.get("ended"):
            return PAUSE_ENDED, f"{name} is back from their pause"
        return PAUSE, f"{name} needs a pause"
    if record.type == m.SUPPORT:
        return None if record.get("ended") else (SUPPORT_ASKED, f"{name} could use support tonight")
    return REPAIR, f"{name} shared a repair step"


def _agreement(record: Record, me: str, partner: str, name: str) -> tuple[str, str] | None:
    told = consent.arrival(record, me, partner, name)
    if told is None:
        return None
    if consent.wants_to_talk(record, partner):
        return AGREEMENT_TALK, told
    return _AGREEMENT_KINDS.get(consent.state(record), AGREEMENT_PROPOSED), told


def _arrival(record: Record, me: str, partner: str | None, name: str) -> tuple[str, str] | None:
    kind, author = record.type, record.author
    if kind in (m.PAUSE, m.SUPPORT, m.REPAIR):
        return _moment(record, partner, name)
    if kind == m.GRATITUDE and author == partner and not record.get("read"):
        return NOTE, f"{name} sent you a note"
    if kind == m.GRATITUDE and author == me and record.get("landed"):
        return LANDED, f"{name} says your note landed"
    if kind == m.CHECKIN and author == partner:
        if record.get("first"):
            return (
                CHECKIN_EDITED,
                f"{name} edited their check-in; what you first read is still there",
            )
        if record.get("key"):
            return CHECKIN_OPEN, f"{name}'s check-in is open to you now"
        return CHECKIN_SHARED, f"{name} shared this week's check-in"
    if kind == m.FOCUS and author == partner:
        return FOCUS, f"{name} suggested a focus for next week"
    shared = key_opens(record.get("key"), record.get("sealed"))
    if kind == m.REFLECTION and author == partner and shared:
        return REFLECTION, f"{name} shared how the talk went for them"
    if kind == m.AGREEMENT:
        return _agreement(record, me, partner or "", name)
    if kind == m.PARTNER and record.id == partner:
        return JOINED, f"{name} joined your space"
    if author != partner:
        return None
    if kind == m.NEED:
        return MENU, f"{name} updated their care menu"
    if kind == m.CARE and record.get("retired") is True:
        return CARE_RETIRED, f"{name} retired a care action"
    if kind == m.CARE:
        return CARE, f"{name} took on a care action for you"
    if kind == m.REVIEW:
        return REVIEW, f"{name} said how last week's care landed"
    return None


def arrivals(session: SessionCore, records: Iterable[Record]) -> Arrivals:
    """Sort what a pass imported (`SyncResult.imported`) into what the partner sent."""
    me, partner, mine = session.me, session.partner, session.device_id
    name = inert(session.name_of(partner))
    found = Arrivals()
    for record in records:
        if record.deleted:
            continue  # a note taken back goes quietly, whether or not it was seen
        told = _arrival(record, me, partner, name)
        if told is not None:
            found.add(*told)
            if told[0] == NOTE:
                found.notes.append(record)
        elif record.type == m.TICK and record.author == partner:
            pass  # a partner's ticks and rests are theirs: never announced
        elif record.type == m.REFLECTION and record.author == partner:
            pass  # words kept to themselves: not even that they wrote some
        elif record.device != mine:
            found.others += 1
    return found
