"""What the partner's devices brought in a sync pass, said in one quiet sentence.

Said as each record is now, after the whole pass, so a pop-up never describes a change that a
later one in the same pass undid. Nothing here tallies effort: a partner's ticks and rests,
and what they read, are never announced.
"""

from __future__ import annotations

from collections.abc import Iterable

from companion.domain import consent
from companion.domain import model as m
from companion.domain.records import Record
from companion.domain.text import inert
from companion.service import Session


def describe_arrivals(session: Session, records: Iterable[Record]) -> str | None:
    """One quiet sentence about what the partner's devices sent, or None."""
    me, partner = session.me, session.partner
    name = inert(session.name_of(partner))
    mine = session.device_id
    said: list[str] = []

    def say(text: str) -> None:
        if text not in said:
            said.append(text)

    others = 0
    for record in records:
        # said as each record is now, after everything this pass brought in
        kind, author = record.type, record.author
        retired = record.get("retired") is True or record.get("status") == m.RETIRED
        if record.deleted:
            continue  # a note taken back goes quietly, whether or not it was seen
        if kind in (m.PAUSE, m.SUPPORT, m.REPAIR):
            moment = _moment_arrival(record, partner, name)
            if moment:
                say(moment)
        elif kind == m.GRATITUDE and author == partner and not record.get("read"):
            say(f"{name} sent you a note")
        elif kind == m.GRATITUDE and author == me and record.get("landed"):
            say(f"{name} says your note landed")
        elif kind == m.TICK and author == partner:
            pass  # a partner's ticks and rests are theirs: no pop-up per tick
        elif kind == m.CHECKIN and author == partner and record.get("key"):
            say(f"{name}'s check-in is open to you now")
        elif kind == m.CHECKIN and author == partner:
            say(f"{name} shared this week's check-in")
        elif kind == m.AGREEMENT and (told := consent.arrival(record, me, partner or "", name)):
            say(told)
        elif kind == m.NEED and author == partner:
            say(f"{name} updated their care menu")
        elif kind == m.CARE and author == partner:
            say(
                f"{name} retired a care action"
                if retired
                else f"{name} took on a care action for you"
            )
        elif kind == m.REVIEW and author == partner:
            say(f"{name} reviewed last week's care")
        elif kind == m.PARTNER and record.id == partner:
            say(f"{name} joined your space")
        elif record.device != mine:
            others += 1
    if not said and others:
        return f"{others} change(s) arrived from your other devices."
    if not said:
        return None
    text = "; ".join(said)
    return f"{text[0].upper()}{text[1:]}."


def _moment_arrival(record: Record, partner: str | None, name: str) -> str | None:
    """A quiet word about the partner's pause, request for support or repair step."""
    if record.type == m.SUPPORT and record.author != partner:
        return f"{name} answered: “{inert(record.get('answer'))}”" if record.get("answer") else None
    if record.author != partner:
        return None
    if record.type == m.PAUSE:
        ended = record.get("ended")
        return f"{name} is back from their pause" if ended else f"{name} needs a pause"
    if record.type == m.SUPPORT:
        return None if record.get("ended") else f"{name} could use support tonight"
    return f"{name} shared a repair step"
