"""What Progress shows: week by week, the support each partner received, as they felt it.

No tally of anyone's care given or rested (DESIGN §10): counts stay inside, for shapes only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.domain import model as m
from companion.domain import rules
from companion.domain.ids import iso_week, month_partition, week_monday
from companion.domain.text import inert
from companion.tui.read.tonight import People, people, record_day, week_label

if TYPE_CHECKING:
    from companion.domain.records import Record
    from companion.service import Session

PROGRESS_WEEKS = 12
SPARK = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class PersonWeek:
    """One partner's week: the support they received, as they felt it."""

    name: str
    notes_received: int
    notes_landed: int
    care_landed: int
    felt_supported: bool
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
        return not self.checkin_held and not any(p.support or p.victories for p in self.people)


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
    months = months_between(first_monday, last_monday + dt.timedelta(days=6), session.months())
    records: list[Record] = list(session.core(m.CARE))
    for record in session.dated([m.GRATITUDE, m.CHECKIN, m.REVIEW], months):
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
                    name=inert(names.get(pid, "?")),
                    notes_received=slot.notes_received,
                    notes_landed=slot.notes_landed,
                    care_landed=slot.landed_actions,
                    felt_supported=slot.felt_supported > 0,
                    victories=tuple(inert(v) for v in slot.victories),
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
    """The support that reached one partner in a week, in words: what, never how many."""
    parts = []
    if person.felt_supported:
        parts.append("felt supported")
    if person.care_landed:
        parts.append("care that landed")
    if person.notes_landed:
        parts.append("a note that landed" if person.notes_landed == 1 else "notes that landed")
    elif person.notes_received:
        parts.append("a note" if person.notes_received == 1 else "notes")
    return " · ".join(parts)
