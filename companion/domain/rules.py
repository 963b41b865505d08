"""The rules of the practice: what is due, where this week's check-in stands, weekly rollups."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from companion.domain import model as m
from companion.domain.hlc import stamp_ms
from companion.domain.ids import iso_week, week_monday
from companion.domain.records import Record
from companion.domain.weeks import dated_ms


def live(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if not r.deleted]


def is_due(action: Record, day: dt.date, ticks_this_week: Iterable[Record] = ()) -> bool:
    """Whether a care action asks for attention on `day`."""
    if action.deleted or action.get("retired"):
        return False
    cadence = action.get("cadence", m.DAILY)
    weekday = day.weekday()
    if cadence == m.DAILY:
        return True
    if cadence == m.WEEKDAYS:
        return weekday < 5
    if cadence == m.DAYS:
        return weekday in (action.get("days") or [])
    if cadence == m.WEEKLY:
        # Due every day of the week until it is ticked; stays listed on the day it was ticked.
        ticked = [t for t in ticks_this_week if not t.deleted]
        return not ticked or any(t.get("date") == day.isoformat() for t in ticked)
    return False


@dataclass(frozen=True)
class DueItem:
    action: Record
    tick: Record | None

    @property
    def status(self) -> str | None:
        return None if self.tick is None or self.tick.deleted else self.tick.get("status")


def due_today(
    actions: Iterable[Record], ticks: Iterable[Record], giver: str, day: dt.date
) -> list[DueItem]:
    """The giver's care actions due on `day`, each with today's tick if there is one."""
    week = iso_week(day)
    by_action: dict[str, list[Record]] = defaultdict(list)
    for tick in ticks:
        tick_day = dt.date.fromisoformat(tick.get("date"))
        if iso_week(tick_day) == week:
            by_action[tick.get("action")].append(tick)
    items = []
    for action in actions:
        if action.author != giver or not is_due(action, day, by_action.get(action.id, ())):
            continue
        today_tick = next(
            (t for t in by_action.get(action.id, ()) if t.get("date") == day.isoformat()), None
        )
        items.append(DueItem(action, today_tick))
    items.sort(key=lambda item: (item.action.get("title", "").lower(), item.action.id))
    return items


def due_count(action: Record, week: str) -> int:
    """How many times an action is due in an ISO week (weekly counts once)."""
    cadence = action.get("cadence", m.DAILY)
    if cadence == m.WEEKLY:
        return 1
    if cadence == m.AS_NEEDED:
        return 0
    monday = week_monday(week)
    return sum(is_due(action, monday + dt.timedelta(days=i)) for i in range(7))


@dataclass(frozen=True)
class WeekConsistency:
    week: str
    done: int
    skipped: int
    due: int


def consistency(action: Record, ticks: Iterable[Record], weeks: list[str]) -> list[WeekConsistency]:
    """Week by week: how often the act of care happened. A skip is counted, never a failure."""
    done: dict[str, int] = defaultdict(int)
    skipped: dict[str, int] = defaultdict(int)
    for tick in ticks:
        if tick.deleted or tick.get("action") != action.id:
            continue
        week = iso_week(dt.date.fromisoformat(tick.get("date")))
        if tick.get("status") == m.SKIPPED:
            skipped[week] += 1
        else:
            done[week] += 1
    return [WeekConsistency(w, done[w], skipped[w], due_count(action, w)) for w in weeks]


@dataclass(frozen=True)
class CheckinState:
    week: str
    mine: Record | None
    theirs: Record | None

    @property
    def both_submitted(self) -> bool:
        return self.mine is not None and self.theirs is not None

    @property
    def waiting_for(self) -> str:
        if self.both_submitted:
            return "nobody"
        if self.mine is None and self.theirs is None:
            return "both"
        return "me" if self.mine is None else "partner"


def checkin_state(
    checkins: Iterable[Record], me: str, partner: str | None, week: str
) -> CheckinState:
    mine = theirs = None
    for checkin in checkins:
        if checkin.deleted or checkin.get("week") != week:
            continue
        if checkin.author == me:
            mine = checkin
        elif checkin.author == partner:
            theirs = checkin
    return CheckinState(week, mine, theirs)


@dataclass
class PartnerWeek:
    """Support flowing to one partner in one week, as that partner experienced it."""

    landed_actions: int = 0
    missed_actions: int = 0
    felt_supported: int = 0
    notes_received: int = 0
    notes_landed: int = 0
    victories: list[str] = field(default_factory=list)


@dataclass
class WeekSummary:
    week: str
    partners: dict[str, PartnerWeek]
    checkins_held: bool = False


def weekly_rollups(records: Iterable[Record], partner_ids: list[str]) -> list[WeekSummary]:
    """Week by week, the support each partner received as they felt it, oldest week first.

    Ticks are not counted: how often either partner gave or rested is theirs (DESIGN §10)."""
    weeks: dict[str, WeekSummary] = {}

    def slot(week: str, partner: str | None) -> PartnerWeek | None:
        if partner not in partner_ids:
            return None
        summary = weeks.get(week)
        if summary is None:
            summary = weeks[week] = WeekSummary(week, {p: PartnerWeek() for p in partner_ids})
        return summary.partners[partner]

    actions: dict[str, Record] = {}
    deferred: list[Record] = []
    checkin_authors: dict[str, set[str]] = defaultdict(set)
    for record in records:
        if record.deleted:
            continue
        if record.type == m.CARE:
            actions[record.id] = record
        elif record.type == m.REVIEW:
            deferred.append(record)
        elif record.type == m.GRATITUDE:
            # the local day it was written, as every screen counts it
            made = dated_ms(stamp_ms(record.created))
            week = iso_week(dt.datetime.fromtimestamp(made / 1000).date())
            target = slot(week, record.get("to"))
            if target is not None:
                target.notes_received += 1
                target.notes_landed += bool(record.get("landed"))
        elif record.type == m.CHECKIN:
            week = record.get("week")
            target = slot(week, record.author)
            if target is not None:
                checkin_authors[week].add(record.author)
                target.felt_supported += bool(record.get("supported"))
                if record.get("victory"):
                    target.victories.append(record.get("victory"))
    for record in deferred:
        action = actions.get(record.get("action"))
        receiver = slot(record.get("week"), record.author)
        if receiver is not None and action is not None:
            if record.get("verdict") == "landed":
                receiver.landed_actions += 1
            elif record.get("verdict") == "missed":
                receiver.missed_actions += 1
    for week, authors in checkin_authors.items():
        weeks[week].checkins_held = all(p in authors for p in partner_ids)
    return [weeks[w] for w in sorted(weeks)]
