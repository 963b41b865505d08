"""What each screen shows: plain values read from a Session inside a worker thread.

Nothing here imports Textual. Screens call these builders from their workers (holding the
backend's lock) and turn the frozen results into widgets on the event loop. What Tonight
shows (and what all screens share) is in tui/tonight_data.py, re-exported here: it is read
at start-up, before this larger module is needed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from companion.domain import model as m
from companion.domain import rules
from companion.domain.hlc import stamp_ms
from companion.domain.ids import iso_week, month_partition, week_monday
from companion.domain.records import Record
from companion.tui.tonight_data import (  # noqa: F401 (this module's interface too)
    CHECKIN_NOTICE_DAYS,
    RECENT_NOTE_DAYS,
    TONIGHT_NOTES,
    WEEKDAY_NAMES,
    DueRow,
    NoteRow,
    People,
    Since,
    Tonight,
    checkin_banner,
    day_label,
    excerpt,
    is_new_to_me,
    note_row,
    people,
    recent_notes,
    record_day,
    seen_since,
    theme_preference,
    tonight,
    unread_to_me,
    week_label,
)

if TYPE_CHECKING:
    from companion.service import Session

CONSISTENCY_WEEKS = 4
# Gratitude builds this many notes each way (a few widgets each), and as many more on request.
NOTES_SHOWN = 60

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
    # Older notes exist than those shown (either way).
    more: bool


def gratitude(session: Session, since: Since, limit: int = NOTES_SHOWN) -> Gratitude:
    """The newest `limit` notes each way, reading month by month from the newest.

    Each step of `limit` (NOTES_SHOWN at a time) also reaches RECENT_NOTE_DAYS further back,
    so a quiet couple's screen doesn't read ten years to find sixty notes.
    """
    today = session.today()
    me = session.me
    steps = max(1, -(-limit // NOTES_SHOWN))
    reach = month_partition(today - dt.timedelta(days=RECENT_NOTE_DAYS * steps))
    months = sorted(session.replica.partitions(), reverse=True)
    received: list[Record] = []
    sent: list[Record] = []
    read_all = True
    for month in months:
        if month < reach or (len(received) > limit and len(sent) > limit):
            read_all = False
            break
        for note in session.dated([m.GRATITUDE], [month]):
            if note.author == me:
                sent.append(note)
            elif note.get("to") == me:
                received.append(note)
    received.sort(key=lambda n: n.created, reverse=True)
    sent.sort(key=lambda n: n.created, reverse=True)
    shown_in = received[:limit]
    return Gratitude(
        people(session),
        [note_row(session, n, today, new=is_new_to_me(n, me, since.notes)) for n in shown_in],
        [note_row(session, n, today) for n in sent[:limit]],
        unread_to_me(shown_in, me),
        more=len(received) > limit or len(sent) > limit or not read_all,
    )


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


# -- the state of sharing -----------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    kind: str
    device: str
    seq: int
    message: str


@dataclass(frozen=True)
class SyncState:
    """What the status line says about sharing with the partner, and Settings in detail."""

    shared_folder: str = ""
    folder_available: bool = True
    waiting: int = 0
    problems: tuple[Problem, ...] = ()
    last_sync: dt.datetime | None = None
    # A sync pass that failed outright (not a problem with one file): its message.
    error: str | None = None

    @property
    def kind(self) -> str:
        """'offline', 'problem', 'waiting' or 'ok' (an unreachable folder comes first: it is
        the one a person can usually fix, and it says why changes wait)."""
        if not self.folder_available:
            return "offline"
        if self.problems or self.error:
            return "problem"
        return "waiting" if self.waiting else "ok"

    @property
    def text(self) -> str:
        kind = self.kind
        if kind == "offline":
            if not self.waiting:
                return "Shared folder not reachable"
            return f"{changes_text(self.waiting)} waiting (shared folder not reachable)"
        if kind == "problem":
            return "A problem to look at"
        if kind == "waiting":
            return f"{changes_text(self.waiting)} waiting"
        return "Up to date"


def changes_text(count: int) -> str:
    return f"{count} change" + ("" if count == 1 else "s")


def sync_state(session: Session, result: Any = None, error: str | None = None) -> SyncState:
    """The state after a sync pass (`result`, an engine.SyncResult), or as it stands on disk."""
    if result is not None:
        available, waiting, problems = result.folder_available, result.waiting, result.problems
    else:
        available = session.journal.available()
        waiting = session.replica.outbox_count()
        problems = session.replica.meta("problems", [])
    last = session.replica.meta("last_sync")
    return SyncState(
        shared_folder=str(session.profile.shared_folder),
        folder_available=available,
        waiting=waiting,
        problems=tuple(
            Problem(p.get("kind", ""), p.get("device", ""), p.get("seq", 0), p.get("message", ""))
            for p in problems
        ),
        last_sync=dt.datetime.fromtimestamp(last / 1000) if last else None,
        error=error,
    )


def when_text(moment: dt.datetime | None, today: dt.date) -> str:
    if moment is None:
        return "not yet"
    return f"{day_label(moment.date(), today)} at {moment:%H:%M}"


# -- Progress ------------------------------------------------------------------------------

PROGRESS_WEEKS = 12
SPARK = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class PersonWeek:
    """One partner's week: the support they received as they felt it, and the care they gave."""

    name: str
    notes_received: int
    notes_landed: int
    care_landed: int
    felt_supported: bool
    care_given: int
    rests: int
    victories: tuple[str, ...]

    @property
    def support(self) -> int:
        """How many moments of support reached them (for the shape of a sparkline only)."""
        return self.notes_received + self.care_landed + int(self.felt_supported)


@dataclass(frozen=True)
class ProgressWeek:
    week: str
    label: str
    current: bool
    people: tuple[PersonWeek, ...]
    checkin_held: bool

    @property
    def quiet(self) -> bool:
        return not self.checkin_held and not any(
            p.support or p.care_given or p.rests or p.victories for p in self.people
        )


@dataclass(frozen=True)
class Progress:
    people: People
    weeks: list[ProgressWeek]  # newest first
    # The newest week before those shown, if the practice goes back further.
    earlier: str | None


def space_began(session: Session) -> dt.date:
    """The day the first partner set the space up."""
    partners = session.core(m.PARTNER)
    return min((record_day(p) for p in partners), default=session.today())


def months_between(first: dt.date, last: dt.date, existing: Iterable[str]) -> list[str]:
    """The month partitions that hold records dated from `first` to `last` (a day's margin,
    as notes are filed by their UTC time)."""
    low = month_partition(first - dt.timedelta(days=1))
    high = month_partition(last + dt.timedelta(days=1))
    return [p for p in existing if low <= p <= high]


def progress(session: Session, until: str | None = None, count: int = PROGRESS_WEEKS) -> Progress:
    """`count` weeks ending with the week `until` (this week if None), newest first.

    Reads only the month partitions those weeks fall in.
    """
    today = session.today()
    this_week = iso_week(today)
    last_monday = week_monday(until or this_week)
    began = iso_week(space_began(session))
    weeks = [iso_week(last_monday - dt.timedelta(weeks=back)) for back in range(count)]
    weeks = [w for w in weeks if w >= began]
    who = people(session)
    if not weeks:
        return Progress(who, [], None)
    first_monday = week_monday(weeks[-1])
    months = months_between(
        first_monday, last_monday + dt.timedelta(days=6), session.replica.partitions()
    )
    records: list[Record] = list(session.core(m.CARE))
    for record in session.dated([m.TICK, m.GRATITUDE, m.CHECKIN, m.REVIEW], months):
        records.append(session.open_checkin(record) if record.type == m.CHECKIN else record)
    names = session.partners()
    order = [session.me] + [p for p in names if p != session.me]
    rollups = {w.week: w for w in rules.weekly_rollups(records, order)}
    rows = []
    for week in weeks:
        summary = rollups.get(week)
        people_rows = []
        for pid in order:
            slot = summary.partners[pid] if summary else rules.PartnerWeek()
            people_rows.append(
                PersonWeek(
                    name=names.get(pid, "?"),
                    notes_received=slot.notes_received,
                    notes_landed=slot.notes_landed,
                    care_landed=slot.landed_actions,
                    felt_supported=slot.felt_supported > 0,
                    care_given=slot.care_given,
                    rests=slot.care_skipped,
                    victories=tuple(slot.victories),
                )
            )
        sunday = week_monday(week) + dt.timedelta(days=6)
        label = week_label(week) + ("" if sunday.year == today.year else f" {sunday.year}")
        rows.append(
            ProgressWeek(
                week=week,
                label=label,
                current=week == this_week,
                people=tuple(people_rows),
                checkin_held=bool(summary and summary.checkins_held),
            )
        )
    oldest = week_monday(weeks[-1])
    earlier = iso_week(oldest - dt.timedelta(weeks=1))
    return Progress(who, rows, earlier if earlier >= began else None)


def spark(values: list[int], top: int | None = None) -> str:
    """A sparkline of block characters; `top` shares one scale between several lines."""
    top = max(values, default=0) if top is None else top
    if top <= 0:
        return SPARK[0] * len(values)
    last = len(SPARK) - 1
    return "".join(SPARK[min(last, round(v / top * last))] for v in values)


def received_text(person: PersonWeek) -> str:
    """The support that reached one partner in a week, in words; no score."""
    parts = []
    if person.notes_received:
        notes = f"{person.notes_received} note" + ("" if person.notes_received == 1 else "s")
        if person.notes_landed:
            notes += f", {person.notes_landed} landed"
        parts.append(notes)
    if person.care_landed:
        parts.append(f"{person.care_landed} care landed")
    if person.felt_supported:
        parts.append("felt supported")
    return " · ".join(parts)


def given_text(person: PersonWeek) -> str:
    parts = []
    if person.care_given:
        parts.append(f"{person.care_given} done")
    if person.rests:
        parts.append(f"{person.rests} rest")
    return ", ".join(parts)


# -- History -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryItem:
    """One thing that happened, filed under its week."""

    week: str
    order: str  # sorts the items of a week, oldest first
    kind: str  # note, checkin, agreement
    text: str
    search: str  # lowercased, for the search box


@dataclass(frozen=True)
class HistoryChunk:
    """What one month partition holds, ready to be merged with the months around it."""

    month: str
    items: list[HistoryItem]
    # (week, giver's name) → (acts of care done, rests): summed across months per week.
    care: dict[tuple[str, str], tuple[int, int]]


@dataclass(frozen=True)
class HistoryWeek:
    week: str
    label: str
    lines: list[tuple[str, str]]  # (kind, text)


def history_months(session: Session) -> list[str]:
    """Month partitions, newest first (a directory listing: no file is decoded)."""
    return sorted(session.replica.partitions(), reverse=True)


def month_start(month: str) -> dt.date:
    """The first day of a month partition (`m-YYYY-MM`)."""
    return dt.date(int(month[2:6]), int(month[7:9]), 1)


def _item(week: str, record: Record, kind: str, text: str, *extra: str) -> HistoryItem:
    # By the time it was written; at the same moment, by what it says (two devices' clock
    # stamps of one millisecond sort by device id, which says nothing).
    order = f"{stamp_ms(record.created):015d}|{text}"
    return HistoryItem(week, order, kind, text, " ".join((text, *extra)).lower())


def history_chunk(session: Session, month: str) -> HistoryChunk:
    """Notes, open check-ins and care given in one month partition."""
    today = session.today()
    names = session.partners()
    items: list[HistoryItem] = []
    care: dict[tuple[str, str], tuple[int, int]] = {}
    for record in session.dated([m.GRATITUDE, m.CHECKIN, m.TICK], [month]):
        who = names.get(record.author, "someone")
        if record.type == m.TICK:
            week = iso_week(dt.date.fromisoformat(record.get("date")))
            done, rested = care.get((week, who), (0, 0))
            if record.get("status") == m.SKIPPED:
                rested += 1
            else:
                done += 1
            care[(week, who)] = (done, rested)
        elif record.type == m.GRATITUDE:
            day = record_day(record)
            to = names.get(record.get("to"), "someone")
            flag = " · ♥ landed" if record.get("landed") else ""
            text = f"{who} → {to}, {day_label(day, today)}: {record.get('text', '')}{flag}"
            items.append(_item(iso_week(day), record, "note", text, "gratitude thanks"))
        else:
            items.append(_checkin_item(session.open_checkin(record), who))
    return HistoryChunk(month, items, care)


def _checkin_item(record: Record, who: str) -> HistoryItem:
    week = record.get("week", "")
    if record.get("sealed"):
        text = f"{who}'s check-in: sealed until you have both shared"
        return _item(week, record, "checkin", text)
    lines = [f"{who}'s check-in"]
    for field_name, question in CHECKIN_QUESTIONS:
        value = record.get(field_name)
        if value in (None, ""):
            continue
        shown = energy_text(value) if field_name == "energy" else str(value)
        lines.append(f"  {question}: {shown}")
    return _item(week, record, "checkin", "\n".join(lines))


def history_agreements(session: Session) -> list[HistoryItem]:
    """Agreements, each in the week it was proposed (they are few: read once)."""
    names = session.partners()
    items = []
    for record in session.core(m.AGREEMENT):
        status = record.get("status", m.PROPOSED)
        state = {m.ACCEPTED: "agreed", m.RETIRED: "retired"}.get(status, "proposed, not yet agreed")
        text = (
            f"Agreement proposed by {names.get(record.author, 'someone')}: "
            f"{record.get('text', '')} ({state})"
        )
        items.append(_item(iso_week(record_day(record)), record, "agreement", text))
    return items


def history_weeks(
    items: Iterable[HistoryItem],
    care: dict[tuple[str, str], tuple[int, int]],
    complete_from: dt.date,
    query: str = "",
) -> list[HistoryWeek]:
    """Weeks newest first, each with what matches `query` (every word, any case).

    Only weeks that begin on or after `complete_from` are shown: an earlier week also has
    days in a month that isn't loaded yet.
    """
    words = query.lower().split()

    def matches(text: str) -> bool:
        return all(word in text for word in words)

    by_week: dict[str, list[HistoryItem]] = {}
    for item in items:
        by_week.setdefault(item.week, []).append(item)
    care_by_week: dict[str, list[tuple[str, int, int]]] = {}
    for (week, who), (done, rested) in sorted(care.items()):
        care_by_week.setdefault(week, []).append((who, done, rested))
    weeks = []
    for week in sorted(set(by_week) | set(care_by_week), reverse=True):
        if not week or week_monday(week) < complete_from:
            continue
        lines = [
            (item.kind, item.text)
            for item in sorted(by_week.get(week, ()), key=lambda i: i.order)
            if matches(item.search)
        ]
        givers = care_by_week.get(week)
        if givers:
            summary = "Care given: " + " · ".join(
                f"{who} {done} done" + (f", {rested} rest" if rested else "")
                for who, done, rested in givers
            )
            if matches(summary.lower() + " ticks care"):
                lines.append(("care", summary))
        if lines:
            monday = week_monday(week)
            label = f"{week_label(week)} {(monday + dt.timedelta(days=6)).year}"
            weeks.append(HistoryWeek(week, label, lines))
    return weeks


# -- Settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsView:
    people: People
    today: dt.date
    checkin_day: int
    # Where this device remembers the key: 'keychain', 'file' or None.
    remembered: str | None
    keychain: bool


def settings(session: Session) -> SettingsView:
    from companion.store import keychain

    return SettingsView(
        people=people(session),
        today=session.today(),
        checkin_day=session.checkin_day(),
        remembered=keychain.where(session.profile),
        keychain=keychain.keychain_available(),
    )


def export_suffix(fmt: str) -> str:
    return {"markdown": "md"}.get(fmt, fmt)


def default_export_path(fmt: str, today: dt.date) -> str:
    return f"~/companion-export-{today.isoformat()}.{export_suffix(fmt)}"
