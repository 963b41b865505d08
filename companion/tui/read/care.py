"""What Care shows: both care menus, and my acts of care with how recent weeks went."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from companion.domain import model as m
from companion.domain import rules, words
from companion.domain.ids import iso_week, week_monday
from companion.domain.text import inert
from companion.tui.read.tonight import People, people, record_day, shown_name

if TYPE_CHECKING:
    from companion.domain.records import Record
    from companion.service import Session

CONSISTENCY_WEEKS = 4


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
    # The receiver's word on last week's care, in one kind sentence (None: no word yet).
    their_word: str | None = None


def week_text(week: rules.WeekConsistency, cadence: str, current: bool) -> str:
    """How one week went for one act of care, in a word or two, never a count.

    Rest counts with care toward a steady week: a skip is rest, never a failure; ☾ says it
    was there (only on the giver's own screen: a partner's rest is theirs).
    """
    moon = " ☾" if week.skipped else ""
    if cadence == m.WEEKLY:
        if week.done:
            return "done"
        if week.skipped:
            return "☾ rested"
        return "not yet" if current else "–"
    if not week.done:
        if week.skipped:
            return "☾ rested"
        return "not yet" if current else "–"
    if current or cadence == m.AS_NEEDED or week.due == 0:
        return "given" + moon
    steady = (week.done + week.skipped) * 10 >= week.due * 7
    return ("steady" if steady else "some days") + moon


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
    need_text = {n.id: inert(n.get("text", ""), multiline=True) for n in needs}
    names = session.partners()
    titles = {a.id: inert(a.get("title", "")) for a in actions}
    said = [
        (titles[r.get("action")], r.get("verdict"), inert(r.get("note") or "") or None)
        for r in session.words_on_my_care()
        if r.get("action") in titles
    ]
    receiver = shown_name(names, partner) or "your partner"
    return Care(
        people=people(session),
        my_needs=[NeedRow(n.id, need_text[n.id], False) for n in mine],
        partner_needs=[NeedRow(n.id, need_text[n.id], n.id in adopted) for n in theirs],
        actions=[
            ActionRow(
                id=a.id,
                title=inert(a.get("title", "")),
                cadence=m.describe_cadence(a.get("cadence"), a.get("days")),
                receiver=shown_name(names, a.get("for")),
                need=need_text.get(a.get("need")),
                weeks=consistency_cells(a, ticks, weeks, today),
            )
            for a in actions
        ],
        their_word=words.their_word(receiver, said, "last week") if said else None,
    )
