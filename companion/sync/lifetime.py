"""Dated records stay within the space's lifetime: no tick in 1970, no note in the year 9000.

Ticks, notes, check-ins and reviews are kept in month files chosen by the time in their id
(and a tick's date, a check-in's or review's week make that id). A partner's app could name
every month from 1970 to 9998 and make this device open a hundred thousand files. So such a
change merges only when its id's time, date or week lies from a month before the space began
to a month after this computer's clock. When the space began is what this device's own
partner's record says (`began`, written by their first device at `init` or `join` and signed
by it): the other partner's app can't move that. A space from before `began` existed goes by
its earliest partner's record until this device writes its `began` (on opening), and a
partner's record can't be made again dated earlier than it was (which would move that
beginning). The rest is refused as invalid: kept aside and reported like any other
(quarantine.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from companion.domain import model as m
from companion.domain.hlc import stamp_ms
from companion.domain.ids import id_ms, week_monday
from companion.domain.records import Record
from companion.domain.schema import Invalid
from companion.store.replica import CORE, Replica

DAY_MS = 24 * 60 * 60 * 1000
BEFORE_MS = 31 * DAY_MS
AFTER_MS = 31 * DAY_MS

Change = tuple[str, int, dict[str, Any]]
_OUTSIDE = "is dated outside the space's lifetime"


def within_lifetime(
    replica: Replica, changes: list[Change], now_ms: int, me: str = ""
) -> tuple[list[Change], list[tuple[str, int, dict[str, Any], Invalid]]]:
    """`changes` split into those that may merge and those refused for their dates (`me`:
    this device's partner, whose record says when the space began)."""
    if not any(op["type"] in m.DATED_TYPES or op["type"] == m.PARTNER for _, _, op in changes):
        return changes, []
    partners = replica.records_of([m.PARTNER], [CORE])
    merged = {r.id: stamp_ms(r.created) for r in partners if r.created}
    # a partner's record is made where it is first read (files come in their order), as it
    # would be one pass at a time: a create after that one dated earlier is refused
    made = dict(merged)
    for _, _, op in changes:
        if op["type"] == m.PARTNER and op["op"] == "create":
            made.setdefault(op["id"], _ms(op))
    began = began_ms(partners, me, changes)
    if began is None and made:
        began = min(made.values())
    first = None if began is None else began - BEFORE_MS
    last = now_ms + AFTER_MS
    kept: list[Change] = []
    refused: list[tuple[str, int, dict[str, Any], Invalid]] = []
    for device, seq, op in changes:
        why = _outside(op, first, last, made)
        if why is None:
            kept.append((device, seq, op))
        else:
            refused.append((device, seq, op, why))
    return kept, refused


def began_ms(partners: list[Record], me: str, changes: Iterable[Change] = ()) -> int | None:
    """When the space began, as `me`'s own record says (merged, or arriving now from my
    trusted devices: the author of a change is its signing device's owner); None where it
    doesn't say."""
    said = [r.get(m.BEGAN) for r in partners if r.id == me and r.type == m.PARTNER]
    said += [
        op["fields"].get(m.BEGAN)
        for _, _, op in changes
        if op["type"] == m.PARTNER and op["id"] == me and op["author"] == me
    ]
    found = [value for value in said if isinstance(value, int) and not isinstance(value, bool)]
    return min(found) if me and found else None


def began_to_write(partners: list[Record], me: str) -> int | None:
    """What this device writes as `began` in its partner's record that doesn't say yet (a
    space from before, or joined before the folder was all there): its earliest partner's
    record, from now on fixed. None if it says, or while only one partner is known (the
    other's earlier records may be on their way)."""
    mine = next((r for r in partners if r.id == me and r.type == m.PARTNER), None)
    if mine is None or len(partners) < 2 or began_ms([mine], me) is not None:
        return None
    starts = [stamp_ms(r.created) for r in partners if r.created]
    return min(starts) if starts else None


def within_lifetime_of(op: dict[str, Any], began_ms: int, now_ms: int) -> bool:
    """Whether one change's dates lie within the lifetime of a space begun at `began_ms`."""
    return _outside(op, began_ms - BEFORE_MS, now_ms + AFTER_MS, {}) is None


def _outside(
    op: dict[str, Any], first: int | None, last: int, created: dict[str, int]
) -> Invalid | None:
    record_type = op["type"]
    if record_type == m.PARTNER:
        made = created.get(op["id"])
        if op["op"] == "create" and made is not None and _ms(op) < made:
            return Invalid(record_type, "", "is made again, dated before it was first made")
        return None
    if record_type not in m.DATED_TYPES:
        return None
    times = [id_ms(op["id"])]
    fields = op["fields"]
    if isinstance(fields.get("date"), str):
        times.append(_day_ms(dt.date.fromisoformat(fields["date"])))
    if isinstance(fields.get("week"), str):
        times.append(_day_ms(week_monday(fields["week"])))
    for when in times:
        if when > last or (first is not None and when < first):
            field = "date" if "date" in fields else "week" if "week" in fields else ""
            return Invalid(record_type, field, _OUTSIDE)
    return None


def _ms(op: dict[str, Any]) -> int:
    return stamp_ms(str(op["hlc"]))


def _day_ms(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000)
