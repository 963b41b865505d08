"""What Tonight shows, and what every screen shares: read before anything else loads.

`companion` paints Tonight from these values, read by its start-up helper (tui/prefetch.py),
so this module stays small and quick to import: the other screens' read models are beside it
in tui/read/ and import what they share from here. Nothing here imports Textual or the store,
and the values are NamedTuples (a frozen dataclass costs about a millisecond to define, at
every start).

Every text from a record (names, notes, titles) is made inert (domain/text.py) where a read
model takes it, here and in the other screens' modules, so no widget is handed a control
character from the partner's device.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from companion.domain import model as m
from companion.domain.ids import week_monday
from companion.domain.text import inert

if TYPE_CHECKING:
    from companion.domain.records import Record
    from companion.service import Session

# Screens read recent months only, so they open as fast after years of history as on day one.
RECENT_NOTE_DAYS = 90
# Tonight mentions a check-in that neither of you has written yet from this many days before
# my check-in day (Friday on, with the usual Sunday).
CHECKIN_NOTICE_DAYS = 2
# Tonight shows a note's first few lines; the whole note is a key away, in Gratitude.
PREVIEW_CHARS = 400
PREVIEW_WORD = 40
# Tonight lists at most this many new notes; Gratitude has the rest.
TONIGHT_NOTES = 10
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# -- shared pieces -------------------------------------------------------------------------


class People(NamedTuple):
    me: str
    partner: str | None

    @property
    def other(self) -> str:
        """The partner's name, or a kind stand-in before they have joined."""
        return self.partner or "your partner"


def people(session: Session) -> People:
    names = session.partners()
    partner_id = session.partner
    partner = names.get(partner_id) if partner_id else None
    return People(inert(names.get(session.me, "you")), None if partner is None else inert(partner))


def shown_name(names: dict[str, str], pid: str | None) -> str | None:
    """A partner's name as a screen shows it, or None for no one (or someone unknown)."""
    name = names.get(pid) if pid else None
    return None if name is None else inert(name)


def record_day(record: Record) -> dt.date:
    """The local day a record was first written."""
    from companion.domain.hlc import stamp_ms  # read where records are: not at first paint

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


class NoteRow(NamedTuple):
    id: str
    text: str
    author: str
    to: str
    when: str
    new: bool
    landed: bool


def note_row(
    session: Session,
    note: Record,
    today: dt.date,
    new: bool = False,
    names: dict[str, str] | None = None,
) -> NoteRow:
    """A note as a list shows it. `names`: session.partners(), when one list asks for many
    rows (looking the partners up per note cost more than the rest of a screen's read)."""
    names = session.partners() if names is None else names

    def name_of(partner_id: str | None) -> str:  # as Session.name_of says it
        return "your partner" if partner_id is None else names.get(partner_id, "someone")

    return NoteRow(
        id=note.id,
        text=inert(note.get("text", ""), multiline=True),
        author=inert(name_of(note.author)),
        to=inert(name_of(note.get("to"))),
        when=day_label(record_day(note), today),
        new=new,
        landed=bool(note.get("landed")),
    )


def recent_notes(session: Session, today: dt.date) -> list[Record]:
    """Notes of the last few months, newest first."""
    notes = session.dated([m.GRATITUDE], session.recent_partitions(today, RECENT_NOTE_DAYS))
    return sorted(notes, key=lambda n: n.created, reverse=True)


def is_new_to_me(note: Record, me: str, since: str) -> bool:
    """A note to me that I haven't read, or that arrived after I last looked on this device.

    `since` is a clock stamp (see seen_since). Unread counts too, because a partner's clock
    may run behind mine.
    """
    if note.get("to") != me or note.author == me:
        return False
    return not note.get("read") or note.created > since


def unread_to_me(notes: Iterable[Record], me: str) -> list[Record]:
    """Notes to me not yet marked read: shown now, so marked read by the screen's worker."""
    return [n for n in notes if n.get("to") == me and n.author != me and not n.get("read")]


class Since(NamedTuple):
    """What counts as new in this run: notes to me created after `notes`, and landed marks
    or the partner's check-in changed after `events` (both clock stamps)."""

    notes: str
    events: str


def seen_since(session: Session) -> Since:
    """This device's "seen until" marker; for a device that never set one, a first look.

    A first look counts the notes I haven't read as new (from just before the oldest), and
    anything else only once it arrives.
    """
    marker = session.seen_until()
    if marker:
        return Since(marker, marker)
    today = session.today()
    notes = recent_notes(session, today)
    unread = unread_to_me(notes, session.me)
    state = session.checkin_state()
    stamps = [n.hlc for n in notes] + [r.hlc for r in (state.mine, state.theirs) if r]
    events = max([session.clock.last, *stamps])
    if not unread:
        return Since(events, events)
    # "wall.counter." sorts before every stamp of that wall time and counter.
    return Since(min(n.created for n in unread).rsplit(".", 1)[0] + ".", events)


def preview(text: str, limit: int = PREVIEW_CHARS, word: int = PREVIEW_WORD) -> str:
    """A note as Tonight shows it: no word longer than `word` characters (one long run of
    characters would fill the screen), at most `limit` characters; lines kept."""
    tamed = re.sub(rf"\S{{{word + 1},}}", lambda w: w.group()[: word - 1] + "…", text)
    return tamed if len(tamed) <= limit else tamed[: limit - 1].rstrip() + "…"


def excerpt(text: str, width: int = 48) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


# -- Tonight -------------------------------------------------------------------------------


class DueRow(NamedTuple):
    action_id: str
    title: str
    cadence: str
    receiver: str | None
    status: str | None


class Tonight(NamedTuple):
    day: dt.date
    people: People
    due: list[DueRow]
    has_actions: bool
    # What arrived from the partner since I last looked on this device (newest first).
    notes: list[NoteRow]
    more_notes: int
    landed: list[str]
    banner: str | None
    # The notes shown that are new to me, by id (ids, not records: these values are handed
    # to the app through a pipe, and records would load the store's modules there).
    to_mark_read: list[str]
    # The clock stamp to mark as seen once this has been on screen.
    seen_stamp: str
    # For the first evening's guidance: whose care menus are written, whether I've sent a
    # note lately (none of it is shown as a count).
    my_menu: bool = False
    their_menu: bool = False
    sent_note: bool = False


def checkin_banner(
    waiting_for: str,
    partner: str | None,
    today: dt.date,
    checkin_day: int = 6,
    new: bool = False,
    first_week: bool = False,
) -> str | None:
    """A gentle word about this week's check-in, when there is something to say."""
    if partner is None:
        return None
    lead = "New since you last looked: " if new else ""
    if waiting_for == "me":
        return (
            f"{lead}{partner} has shared this week's check-in. Share yours to see both side by "
            "side (press w)."
        )
    if waiting_for == "nobody":
        return f"{lead}You've both shared this week's check-in: read them side by side (press w)."
    if first_week:  # the couple's first week is for menus and small things, not a check-in
        return None
    if waiting_for == "both" and today.weekday() >= checkin_day - CHECKIN_NOTICE_DAYS:
        return "This week's check-in is due: a few quiet minutes, whenever suits you (press w)."
    return None


def tonight(session: Session, since: Since) -> Tonight:
    """Tonight's care, and what arrived from the partner since I last looked."""
    today = session.today()
    names = session.partners()
    due = [
        DueRow(
            action_id=item.action.id,
            title=inert(item.action.get("title", "")),
            cadence=m.describe_cadence(item.action.get("cadence"), item.action.get("days")),
            receiver=shown_name(names, item.action.get("for")),
            status=item.status,
        )
        for item in session.due_today(today)
    ]
    me = session.me
    notes = recent_notes(session, today)
    new = [n for n in notes if is_new_to_me(n, me, since.notes)]
    who = people(session)
    landed = [
        f"{who.other} says your note “{excerpt(inert(n.get('text', '')))}” landed."
        for n in notes
        if n.author == me and n.get("landed") and n.hlc > since.events
    ]
    menus = {n.author for n in session.core(m.NEED) if not n.get("retired")}
    rows = [note_row(session, n, today, True, names) for n in new[:TONIGHT_NOTES]]
    state = session.checkin_state()
    theirs_new = state.theirs is not None and state.theirs.hlc > since.events
    # Everything shown counts as seen: the newest stamp among it (a partner's stamp can tie
    # with my clock's and still sort after it, by device id).
    shown = [n.hlc for n in notes] + ([state.theirs.hlc] if state.theirs else [])
    seen = max([session.clock.last, *shown])
    return Tonight(
        day=today,
        people=who,
        due=due,
        has_actions=bool(session.my_actions()),
        notes=[row._replace(text=preview(row.text)) for row in rows],
        more_notes=max(0, len(new) - TONIGHT_NOTES),
        landed=landed,
        banner=checkin_banner(
            state.waiting_for,
            who.partner,
            today,
            session.checkin_day(),
            new=theirs_new,
            first_week=today < together_since(session) + dt.timedelta(days=7),
        ),
        to_mark_read=[note.id for note in unread_to_me(notes, me)],
        seen_stamp=seen,
        my_menu=me in menus,
        their_menu=bool(menus - {me}),
        sent_note=any(n.author == me for n in notes),
    )


def together_since(session: Session) -> dt.date:
    """The day the couple began: the later of the two partners' first days in the space."""
    return max((session.first_day(p) for p in session.core(m.PARTNER)), default=session.today())


def theme_preference(session: Session) -> str | None:
    """The theme chosen on this device, if any."""
    theme = session.preference("theme")
    return theme if isinstance(theme, str) else None
