"""What Tonight shows of the evening's moments: a pause, a request for support, a repair step.

Read in a worker, apart from Tonight's own read model, so that Tonight's first paint doesn't
wait for it. Every text from a record is made inert here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from companion.domain.text import inert

if TYPE_CHECKING:
    from companion.service import Session


class MenuItem(NamedTuple):
    need_id: str
    text: str


class MomentsView(NamedTuple):
    """The lines to show, and what each key may do now."""

    lines: list[str]
    partner: str
    my_pause: bool
    my_request: bool
    # the partner's request I may answer (None: none, or answered already)
    to_answer: str | None
    menu: list[MenuItem]
    asker: str
    # the pause whose repair step waits for me, and our agreement about pausing
    repair_pause: str | None
    agreement: str | None
    can_unsend: bool
    has_partner: bool


def moments(session: Session) -> MomentsView:
    """The evening's moments, as Tonight shows them."""
    names = session.partners()
    partner = inert(session.name_of(session.partner)) if session.partner else "your partner"
    found = session.moments()
    lines: list[str] = []
    pause = found.pause
    if pause is not None:
        back = session.clock_time(pause.until_ms)
        note = pause.record.get("note")
        said = f" “{inert(note)}”" if note else ""
        if pause.mine:
            lines.append(f"⏸ You're taking a pause; back at {back}.{said} (b ends it early)")
        else:
            who = inert(names.get(pause.record.author, partner))
            lines.append(f"⏸ {who} is taking a pause; back at {back}.{said} Time to breathe.")
    to_answer, menu, asker = None, [], partner
    for request in found.requests:
        record = request.record
        word = f" “{inert(record.get('word'))}”" if record.get("word") else ""
        answer = record.get("answer")
        if request.mine:
            lines.append(f"♡ You asked for support tonight.{word}")
            if answer:
                lines.append(f"   {partner} will: “{inert(answer)}”")
            continue
        asker = inert(names.get(record.author, partner))
        lines.append(f"♡ {asker} could use support tonight.{word}")
        if answer:
            lines.append(f"   You'll: “{inert(answer)}”")
        else:
            lines.append(f"   Answer with one thing from {asker}'s care menu (o).")
            to_answer = record.id
            menu = [MenuItem(n.id, inert(n.get("text", ""))) for n in request.menu]
    for shared in found.shared:
        who = inert(names.get(shared.author, partner))
        lines.append(f"✎ {who} shared after the pause:")
        if shared.get("again"):
            lines.append(f"   What I'd like to try again: “{inert(shared.get('again'))}”")
        if shared.get("understood"):
            lines.append(
                f"   One thing I understand better now: “{inert(shared.get('understood'))}”"
            )
    repair = found.repairs[0].record.id if found.repairs else None
    if repair is not None:
        lines.append("✎ The pause is over. When you're both ready, a gentle repair step (r).")
    can_unsend = session.recent_sent() is not None
    if can_unsend:
        lines.append(f"✉ You sent {partner} a note just now; x takes it back (for five minutes).")
    agreement = found.agreement
    mine = session.my_request() if found.requests else None
    return MomentsView(
        lines=lines,
        partner=partner,
        my_pause=pause is not None and pause.mine,
        my_request=mine is not None,
        to_answer=to_answer,
        menu=menu,
        asker=asker,
        repair_pause=repair,
        agreement=inert(agreement.get("text", "")) if agreement else None,
        can_unsend=can_unsend,
        has_partner=session.partner is not None,
    )
