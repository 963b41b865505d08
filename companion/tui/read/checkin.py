"""What Check-in shows: this week's answers (mine, and theirs once both have shared), and last
week's care to review."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from companion.domain import model as m
from companion.domain.checkin_fields import ENERGY_LABELS
from companion.domain.ids import iso_week
from companion.domain.text import inert
from companion.tui.read.talk import ShownFocus, Talk, shown_focus, talk
from companion.tui.read.tonight import People, people, week_label

if TYPE_CHECKING:
    from companion.domain.records import Record
    from companion.service import Session


@dataclass(frozen=True)
class ReviewRow:
    action_id: str
    title: str
    cadence: str
    verdict: str | None
    note: str | None = None  # the receiver's few words: what would help instead


@dataclass(frozen=True)
class Checkin:
    people: People
    week: str
    week_label: str
    waiting_for: str
    mine: dict[str, Any] | None
    # The partner's answers, only once both have shared and their key has arrived.
    theirs: dict[str, Any] | None
    # Both have shared, but the partner's answers can't be opened here yet.
    theirs_sealed: bool
    review_week: str
    review_label: str
    reviews: list[ReviewRow]
    # Mine is open to my partner (both shared, or I unsealed it early).
    mine_revealed: bool = False
    # Edited after the reveal: the answers as they were first read (else None).
    mine_first: dict[str, Any] | None = None
    theirs_first: dict[str, Any] | None = None
    # This week's prompt for each guided step, by its field (the same on both devices).
    prompts: dict[str, str] = field(default_factory=dict)
    # After the reveal: the "Talking it over" tab; and the focus we chose for this week.
    talk: Talk | None = None
    focus: ShownFocus | None = None


def checkin(session: Session) -> Checkin:
    today = session.today()
    week = session.checkin_week()  # by the space's time zone: the partner's week too
    state = session.checkin_state(week)
    last_week = iso_week(today - dt.timedelta(days=7))
    # Last week's review: the care taken on by then (a newer action has no last week).
    for_me = [
        a
        for a in session.core(m.CARE)
        if a.get("for") == session.me
        and a.author != session.me
        and not a.get("retired")
        and iso_week(session.first_day(a)) <= last_week
    ]
    reviewed = {
        r.get("action"): r
        for r in session.dated([m.REVIEW], session.recent_partitions(today, 14))
        if r.get("week") == last_week and r.author == session.me
    }
    theirs = state.theirs if state.both_submitted else None
    who = people(session)
    mine = shown_answers(state.mine) if state.mine else None
    open_theirs = shown_answers(theirs) if theirs and not is_sealed(theirs) else None
    return Checkin(
        people=who,
        week=week,
        week_label=week_label(week),
        waiting_for=state.waiting_for,
        mine=mine,
        theirs=open_theirs,
        theirs_sealed=theirs is not None and is_sealed(theirs),
        mine_revealed=bool(state.mine and state.mine.get("revealed")),
        mine_first=first_read(state.mine),
        theirs_first=first_read(theirs) if theirs and not is_sealed(theirs) else None,
        review_week=last_week,
        review_label=week_label(last_week),
        prompts={p.step.field: p.text(who.other) for p in session.checkin_prompts(week)},
        reviews=[
            ReviewRow(
                a.id,
                inert(a.get("title", "")),
                m.describe_cadence(a.get("cadence"), a.get("days")),
                reviewed[a.id].get("verdict") if a.id in reviewed else None,
                inert(reviewed[a.id].get("note") or "") or None if a.id in reviewed else None,
            )
            for a in for_me
        ],
        talk=talk(session, week, mine, open_theirs),
        focus=shown_focus(session, session.current_focus()),
    )


def shown_answers(checkin: Record | dict[str, Any]) -> dict[str, Any]:
    """A check-in's answers and flags, their text inert (numbers and flags as they are)."""
    fields = checkin if isinstance(checkin, dict) else checkin.fields
    return {
        name: inert(value, multiline=True) if isinstance(value, str) else value
        for name, value in fields.items()
        if name != "first"
    }


def first_read(checkin: Record | None) -> dict[str, Any] | None:
    """The answers as they were first revealed, if the check-in was edited after that."""
    if checkin is None or not checkin.get("edited") or not isinstance(checkin.get("first"), dict):
        return None
    return shown_answers(checkin.get("first"))


def is_sealed(checkin: Record) -> bool:
    """Whether this device can't read a check-in's answers (yet)."""
    return checkin.get("sealed") is True


_LEADS = (
    re.compile(r"^\s*when\s+", re.IGNORECASE),
    re.compile(r"^\s*i\s+felt\s+", re.IGNORECASE),
    re.compile(r"^\s*what\s+would\s+help\s+(is\s+)?", re.IGNORECASE),
)


def frame_attention(when: str, felt: str, helps: str) -> str:
    """'When …, I felt …; what would help is …' from its three parts."""
    parts = [
        lead.sub("", part).strip().rstrip(".,;").strip()
        for lead, part in zip(_LEADS, (when, felt, helps), strict=True)
    ]
    return f"When {parts[0]}, I felt {parts[1]}; what would help is {parts[2]}."


_FRAMED = re.compile(r"^When (.*), I felt (.*); what would help is (.*?)\.?$", re.DOTALL)


def split_attention(text: str) -> tuple[str, str, str]:
    """The three parts back, for editing; unframed text goes in the first."""
    found = _FRAMED.match(text or "")
    if found:
        return found.group(1), found.group(2), found.group(3)
    return text or "", "", ""


def energy_text(value: Any) -> str:
    return f"{value} of 5 · {ENERGY_LABELS[value]}" if value in ENERGY_LABELS else "–"


def subtitle(view: Checkin) -> str:
    """The screen's title, true for whichever partner reads it."""
    if view.waiting_for == "nobody":
        return "shared side by side"
    if view.waiting_for == "me":
        return f"{view.people.other} has shared; share yours to see both"
    if view.waiting_for == "partner":
        return "open to them" if view.mine_revealed else f"sealed until {view.people.other} shares"
    return "sealed until you have both shared"


# The prompts are help, never questions to answer: the form says so once, as it opens.
PROMPTS_OFFERED = "; this week's prompts are there if they help"


def form_lead(view: Checkin) -> str:
    """What happens to the answers once shared, as it stands now; first, the focus we chose
    for this week, which the check-in starts from."""
    lead = _lead(view)
    if view.focus is None:
        return lead
    return f"This week's focus, in {view.focus.whose}: “{view.focus.text}”. How did it go?\n{lead}"


def _lead(view: Checkin) -> str:
    other = view.people.other
    if view.waiting_for == "nobody":
        return (
            f"You've both shared. A change now shows to {other} as edited, with what they "
            "first read still there to see."
        )
    if view.waiting_for == "me":
        return (
            f"A few quiet minutes{PROMPTS_OFFERED}. {other} has shared theirs; once yours is in, "
            "you'll see both side by side."
        )
    if view.mine_revealed:
        return f"{other} can already read yours: a change shows to them as edited."
    return (
        f"A few quiet minutes{PROMPTS_OFFERED}. Your answers stay sealed until "
        f"{other} shares theirs too; then you'll see both side by side."
    )
