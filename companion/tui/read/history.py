"""What History shows: what happened, week by week, read one month partition at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.domain import consent
from companion.domain import model as m
from companion.domain.checkin_fields import CHECKIN_QUESTIONS
from companion.domain.hlc import stamp_ms
from companion.domain.ids import iso_week, week_monday
from companion.domain.text import inert
from companion.tui.read.checkin import energy_text
from companion.tui.read.tonight import day_label, record_day, week_label

if TYPE_CHECKING:
    from companion.domain.records import Record
    from companion.service import Session


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
    # (week, giver) → the acts of care they gave that week, by title; never how often, and
    # never a rest (a partner's rest is theirs): joined across months per week.
    care: dict[tuple[str, str], frozenset[str]]


@dataclass(frozen=True)
class HistoryWeek:
    week: str
    label: str
    lines: list[tuple[str, str]]  # (kind, text)


def history_months(session: Session) -> list[str]:
    """Month partitions, newest first (a directory listing: no file is decoded)."""
    return sorted(session.months(), reverse=True)


def month_start(month: str) -> dt.date:
    """The first day of a month partition (`m-YYYY-MM`)."""
    return dt.date(int(month[2:6]), int(month[7:9]), 1)


def _item(week: str, record: Record, kind: str, text: str, *extra: str) -> HistoryItem:
    text = inert(text, multiline=True)
    # By the time it was written; at the same moment, by what it says (two devices' clock
    # stamps of one millisecond sort by device id, which says nothing).
    order = f"{stamp_ms(record.created):015d}|{text}"
    return HistoryItem(week, order, kind, text, " ".join((text, *extra)).lower())


def history_chunk(session: Session, month: str) -> HistoryChunk:
    """Notes, open check-ins and care given in one month partition."""
    today = session.today()
    names = {pid: inert(name) for pid, name in session.partners().items()}
    items: list[HistoryItem] = []
    care: dict[tuple[str, str], frozenset[str]] = {}
    titles = {a.id: inert(a.get("title", "")) for a in session.core(m.CARE)}
    for record in session.dated([m.GRATITUDE, m.CHECKIN, m.TICK], [month]):
        who = names.get(record.author, "someone")
        if record.type == m.TICK:
            title = titles.get(record.get("action"))
            if record.get("status") == m.SKIPPED or title is None:
                continue
            week = iso_week(dt.date.fromisoformat(record.get("date")))
            giver = "you" if record.author == session.me else who
            care[(week, giver)] = care.get((week, giver), frozenset()) | {title}
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
    first = record.get("first") if record.get("edited") else None
    lines = [f"{who}'s check-in" + (" · edited since it was shared" if first else "")]
    for field in CHECKIN_QUESTIONS:
        value = record.get(field.name)
        before = first.get(field.name) if isinstance(first, dict) else None
        if value not in (None, ""):
            lines.append(f"  {field.question}: {_answer(field.name, value)}")
        if before not in (None, "") and before != value:
            lines.append(f"  {field.question}, first shared: {_answer(field.name, before)}")
    return _item(week, record, "checkin", "\n".join(lines))


def _answer(name: str, value: object) -> str:
    return energy_text(value) if name == "energy" else str(value)


def history_agreements(session: Session) -> list[HistoryItem]:
    """Agreements, each in the week it was proposed (they are few: read once)."""
    names = session.partners()
    items = []
    for record in session.core(m.AGREEMENT):
        state = {
            m.ACCEPTED: "agreed",
            consent.RETIRING: "agreed, one of you asked to retire it",
            m.RETIRED: "retired",
        }.get(consent.state(record), "proposed, not yet agreed")
        text = (
            f"Agreement proposed by {names.get(record.author, 'someone')}: "
            f"{record.get('text', '')} ({state})"
        )
        items.append(_item(iso_week(record_day(record)), record, "agreement", text))
    return items


def history_weeks(
    items: Iterable[HistoryItem],
    care: dict[tuple[str, str], frozenset[str]],
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
    care_by_week: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for (week, who), given in sorted(care.items()):
        care_by_week.setdefault(week, []).append((who, given))
    weeks = []
    for week in sorted(set(by_week) | set(care_by_week), reverse=True):
        if not week or week_monday(week) < complete_from:
            continue
        lines = [
            (item.kind, item.text)
            for item in sorted(by_week.get(week, ()), key=lambda i: i.order)
            if matches(item.search)
        ]
        for who, given in care_by_week.get(week, ()):
            summary = f"Care {who} gave: " + " · ".join(sorted(given, key=str.lower))
            if matches(summary.lower() + " ticks care"):
                lines.append(("care", summary))
        if lines:
            monday = week_monday(week)
            label = f"{week_label(week)} {(monday + dt.timedelta(days=6)).year}"
            weeks.append(HistoryWeek(week, label, lines))
    return weeks
