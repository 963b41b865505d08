"""What each screen shows: plain values read from a Session inside a worker thread.

Nothing here imports Textual. Screens call these builders from their workers (holding the
backend's lock) and turn the frozen results into widgets on the event loop.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from companion.domain import model as m
from companion.domain import rules
from companion.domain.hlc import stamp_ms
from companion.domain.ids import iso_week, week_monday
from companion.domain.records import Record
from companion.service import Session

# Screens read recent months only, so they open as fast after years of history as on day one.
RECENT_NOTE_DAYS = 90
CONSISTENCY_WEEKS = 4
# From Friday on, Tonight mentions a check-in that neither of you has written yet.
CHECKIN_DUE_WEEKDAY = 4

ENERGY_LABELS = {
    1: "running on empty",
    2: "low",
    3: "steady",
    4: "good",
    5: "plenty to give",
}
VERDICT_LABELS = {"landed": "landed", "missed": "missed", "not-needed": "not needed"}
CHECKIN_QUESTIONS = (
    ("supported", "A moment I felt supported"),
    ("attention", "Needs more attention"),
    ("energy", "My energy this week"),
    ("limits", "Limits to respect"),
    ("victory", "A small victory"),
    ("request", "My request for next week"),
)


# -- shared pieces -------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    me: str
    partner: str | None

    @property
    def other(self) -> str:
        """The partner's name, or a kind stand-in before they have joined."""
        return self.partner or "your partner"


def people(session: Session) -> People:
    names = session.partners()
    partner_id = session.partner
    return People(names.get(session.me, "you"), names.get(partner_id) if partner_id else None)


def record_day(record: Record) -> dt.date:
    """The local day a record was first written."""
    return dt.datetime.fromtimestamp(stamp_ms(record.created) / 1000).date()


def day_label(day: dt.date, today: dt.date) -> str:
    if day == today:
        return "today"
    if day == today - dt.timedelta(days=1):
        return "yesterday"
    label = f"{day:%a} {day.day} {day:%b}"
    return label if day.year == today.year else f"{label} {day.year}"


def week_label(week: str) -> str:
    monday = week_monday(week)
    sunday = monday + dt.timedelta(days=6)
    if monday.month == sunday.month:
        return f"{monday.day}–{sunday.day} {sunday:%b}"
    return f"{monday.day} {monday:%b} – {sunday.day} {sunday:%b}"


@dataclass(frozen=True)
class NoteRow:
    id: str
    text: str
    author: str
    to: str
    when: str
    new: bool
    read: bool
    landed: bool


def note_row(session: Session, note: Record, today: dt.date, new: bool = False) -> NoteRow:
    return NoteRow(
        id=note.id,
        text=note.get("text", ""),
        author=session.name_of(note.author),
        to=session.name_of(note.get("to")),
        when=day_label(record_day(note), today),
        new=new,
        read=bool(note.get("read")),
        landed=bool(note.get("landed")),
    )


def recent_notes(session: Session, today: dt.date) -> list[Record]:
    """Notes of the last few months, newest first."""
    notes = session.dated([m.GRATITUDE], session.recent_partitions(today, RECENT_NOTE_DAYS))
    return sorted(notes, key=lambda n: n.created, reverse=True)


def claim_fresh(notes: Iterable[Record], me: str, fresh: set[str]) -> list[Record]:
    """Unread notes to me: remembered as fresh for this app run, returned to be marked read."""
    unread = [n for n in notes if n.get("to") == me and n.author != me and not n.get("read")]
    fresh.update(n.id for n in unread)
    return unread


# -- Tonight -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    action_id: str
    title: str
    cadence: str
    receiver: str | None
    status: str | None


@dataclass(frozen=True)
class Tonight:
    day: dt.date
    people: People
    due: list[DueRow]
    has_actions: bool
    notes: list[NoteRow]
    banner: str | None
    to_mark_read: list[Record]


def checkin_banner(waiting_for: str, partner: str | None, today: dt.date) -> str | None:
    """A gentle word about this week's check-in, when there is something to say."""
    if partner is None:
        return None
    if waiting_for == "me":
        return (
            f"{partner} has shared this week's check-in. Share yours to see both side by side "
            "(press w)."
        )
    if waiting_for == "nobody":
        return "You've both shared this week's check-in: read them side by side (press w)."
    if waiting_for == "both" and today.weekday() >= CHECKIN_DUE_WEEKDAY:
        return "This week's check-in is due: a few quiet minutes, whenever suits you (press w)."
    return None


def tonight(session: Session, fresh: set[str]) -> Tonight:
    today = session.today()
    names = session.partners()
    due = [
        DueRow(
            action_id=item.action.id,
            title=item.action.get("title", ""),
            cadence=m.describe_cadence(item.action.get("cadence"), item.action.get("days")),
            receiver=names.get(item.action.get("for")),
            status=item.status,
        )
        for item in session.due_today(today)
    ]
    notes = recent_notes(session, today)
    unread = claim_fresh(notes, session.me, fresh)
    shown = [note_row(session, n, today, new=True) for n in notes if n.id in fresh]
    state = session.checkin_state()
    who = people(session)
    return Tonight(
        day=today,
        people=who,
        due=due,
        has_actions=bool(session.my_actions()),
        notes=shown,
        banner=checkin_banner(state.waiting_for, who.partner, today),
        to_mark_read=unread,
    )


# -- Care ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedRow:
    id: str
    text: str
    adopted: bool


@dataclass(frozen=True)
class WeekCell:
    label: str
    text: str


@dataclass(frozen=True)
class ActionRow:
    id: str
    title: str
    cadence: str
    receiver: str | None
    need: str | None
    weeks: list[WeekCell]


@dataclass(frozen=True)
class Care:
    people: People
    my_needs: list[NeedRow]
    partner_needs: list[NeedRow]
    actions: list[ActionRow]


def week_text(week: rules.WeekConsistency, cadence: str, current: bool) -> str:
    """How one week went for one act of care. A skip is rest, never a failure."""
    rest = f", {week.skipped} rest" if week.skipped else ""
    if cadence == m.WEEKLY:
        if week.done:
            return "done"
        if week.skipped:
            return "rest"
        return "not yet" if current else "–"
    if cadence == m.AS_NEEDED or week.due == 0:
        return (f"{week.done}×" if week.done else "–") + rest
    if current:
        return f"{week.done} so far{rest}"
    return f"{week.done} of {week.due}{rest}"


def recent_weeks(today: dt.date, count: int = CONSISTENCY_WEEKS) -> list[str]:
    return [iso_week(today - dt.timedelta(weeks=back)) for back in range(count - 1, -1, -1)]


def consistency_cells(
    action: Record, ticks: list[Record], weeks: list[str], today: dt.date
) -> list[WeekCell]:
    """Recent weeks since the action began: its creation, or an earlier day it was ticked for."""
    ticked = [t.get("date") for t in ticks if t.get("action") == action.id and not t.deleted]
    began = min([record_day(action), *(dt.date.fromisoformat(d) for d in ticked)])
    first_week, current = iso_week(began), iso_week(today)
    cells = []
    for week in rules.consistency(action, ticks, [w for w in weeks if w >= first_week]):
        if week.week == first_week and action.get("cadence") != m.WEEKLY:
            # The week it began counts only the days from then on.
            sunday = week_monday(week.week) + dt.timedelta(days=6)
            days = (began + dt.timedelta(days=n) for n in range((sunday - began).days + 1))
            week = replace(week, due=sum(rules.is_due(action, d) for d in days))
        monday = week_monday(week.week)
        label = "this week" if week.week == current else f"{monday.day} {monday:%b}"
        cells.append(WeekCell(label, week_text(week, action.get("cadence"), week.week == current)))
    return cells


def care(session: Session) -> Care:
    today = session.today()
    me, partner = session.me, session.partner
    needs = session.core(m.NEED)
    actions = session.my_actions()
    adopted = {a.get("need") for a in actions if a.get("need")}
    weeks = recent_weeks(today)
    ticks = session.dated([m.TICK], session.recent_partitions(today, 7 * CONSISTENCY_WEEKS))
    mine = [n for n in needs if n.author == me and not n.get("retired")]
    theirs = [n for n in needs if partner and n.author == partner and not n.get("retired")]
    need_text = {n.id: n.get("text", "") for n in needs}
    names = session.partners()
    return Care(
        people=people(session),
        my_needs=[NeedRow(n.id, n.get("text", ""), False) for n in mine],
        partner_needs=[NeedRow(n.id, n.get("text", ""), n.id in adopted) for n in theirs],
        actions=[
            ActionRow(
                id=a.id,
                title=a.get("title", ""),
                cadence=m.describe_cadence(a.get("cadence"), a.get("days")),
                receiver=names.get(a.get("for")),
                need=need_text.get(a.get("need")),
                weeks=consistency_cells(a, ticks, weeks, today),
            )
            for a in actions
        ],
    )


# -- Gratitude -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Gratitude:
    people: People
    inbox: list[NoteRow]
    sent: list[NoteRow]
    to_mark_read: list[Record]


def gratitude(session: Session, fresh: set[str]) -> Gratitude:
    today = session.today()
    notes = recent_notes(session, today)
    unread = claim_fresh(notes, session.me, fresh)
    inbox = [
        note_row(session, n, today, new=n.id in fresh)
        for n in notes
        if n.get("to") == session.me and n.author != session.me
    ]
    sent = [note_row(session, n, today) for n in notes if n.author == session.me]
    return Gratitude(people(session), inbox, sent, unread)


_FEELING = re.compile(
    r"\b(felt|feel|feeling|meant|made me|helped|grateful|thankful|loved|relieved|calm|seen|"
    r"heard|cared|supported|lighter|happy|warm|safe|touched|moved)\b",
    re.IGNORECASE,
)


def note_hint(text: str, partner: str) -> str:
    """A gentle nudge toward specifics: what they did, and how it landed."""
    words = text.split()
    if not words:
        return f"Name one thing {partner} did, however small, and how it landed for you."
    if len(words) < 6:
        return "A detail helps it land: what exactly did they do, and when?"
    if not _FEELING.search(text):
        return 'And how did it feel for you? ("I felt…", "it meant…")'
    return "That's specific and kind. ctrl+s sends it."


# -- Check-in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    action_id: str
    title: str
    cadence: str
    verdict: str | None


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


def checkin(session: Session) -> Checkin:
    today = session.today()
    week = iso_week(today)
    state = session.checkin_state(week)
    last_week = iso_week(today - dt.timedelta(days=7))
    for_me = [
        a
        for a in session.core(m.CARE)
        if a.get("for") == session.me and a.author != session.me and not a.get("retired")
    ]
    verdicts = {
        r.get("action"): r.get("verdict")
        for r in session.dated([m.REVIEW], session.recent_partitions(today, 14))
        if r.get("week") == last_week and r.author == session.me
    }
    theirs = state.theirs if state.both_submitted else None
    return Checkin(
        people=people(session),
        week=week,
        week_label=week_label(week),
        waiting_for=state.waiting_for,
        mine=dict(state.mine.fields) if state.mine else None,
        theirs=dict(theirs.fields) if theirs and not is_sealed(theirs) else None,
        theirs_sealed=theirs is not None and is_sealed(theirs),
        review_week=last_week,
        review_label=week_label(last_week),
        reviews=[
            ReviewRow(
                a.id,
                a.get("title", ""),
                m.describe_cadence(a.get("cadence"), a.get("days")),
                verdicts.get(a.id),
            )
            for a in for_me
        ],
    )


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


# -- Agreements ----------------------------------------------------------------------------


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
            text=a.get("text", ""),
            status=a.get("status", m.PROPOSED),
            proposer=session.name_of(a.author),
            mine=a.author == me,
            accepted_by=session.name_of(a.get("accepted_by")) if a.get("accepted_by") else None,
        )
        for a in sorted(session.core(m.AGREEMENT), key=order)
    ]
    return Agreements(people(session), rows)


# -- what a sync pass brought in -----------------------------------------------------------
