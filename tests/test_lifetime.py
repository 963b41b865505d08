"""Dated records stay within the space's lifetime (issue 12): a partner's app that dates
ticks and notes from 1970 to 9998 can't make this device open a month file for each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from companion.domain import model as m
from companion.domain.hlc import format_stamp
from companion.domain.ids import owned_id, tick_id
from companion.domain.records import make_op
from companion.sync.problems import INVALID

from .syncsim import World, partners
from .test_horizon import write_as
from .test_signing import exchange, notes


@pytest.fixture
def couple(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return partners(tmp_path, monkeypatch)


def ms_of(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000)


def test_ticks_and_notes_dated_outside_the_spaces_life_are_refused(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    action = sam.add_care("Make tea", "daily")
    exchange(couple)
    months_before = set(alex.replica.partitions())
    days = [dt.date(1975 + i, 1 + i % 12, 3) for i in range(30)]
    days += [dt.date(3000 + i * 200, 6, 1) for i in range(30)]
    ticks = [
        sam.op("create", tick_id(action.id, day), m.TICK,
               {"action": action.id, "date": day.isoformat(), "status": m.DONE})
        for day in days
    ]  # fmt: skip
    olden = [
        sam.op("create", owned_id(ms_of(dt.date(1971 + i, 5, 5)), sam.me), m.GRATITUDE,
               {"text": f"from long ago {i}", "to": alex.me})
        for i in range(20)
    ]  # fmt: skip
    write_as(sam, ticks + olden)
    sam.tick(action.id)  # today's, honest
    sam.add_gratitude("for tonight")
    exchange(couple)
    new_months = set(alex.replica.partitions()) - months_before
    assert len(new_months) <= 1, new_months  # this month's, at most
    assert not any("from long ago" in n for n in notes(alex))
    assert "for tonight" in notes(alex)
    today = alex.today().isoformat()
    ticked = {t.get("date") for t in alex.replica.records_of([m.TICK], alex.replica.partitions())}
    assert ticked == {today}
    invalid = [p for p in alex.replica.meta("problems", []) if p["kind"] == INVALID]
    assert invalid and "outside the space's lifetime" in invalid[0]["message"]


def test_a_partners_record_cant_be_made_again_dated_earlier(couple: World) -> None:
    """That would move the space's beginning back, and every date with it."""
    alex, sam = (d.session for d in couple.devices)
    old = format_stamp(ms_of(dt.date(1971, 1, 1)), 0, sam.device_id)
    again = make_op("create", sam.me, m.PARTNER, old, sam.device_id, sam.me, {"name": "Sam"})
    write_as(sam, [again])
    exchange(couple)
    record = alex.replica.get(sam.me, m.PARTNER)
    assert record is not None and record.created > old
    assert any(p["kind"] == INVALID for p in alex.replica.meta("problems", []))
