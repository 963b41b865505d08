"""Dated records stay within the space's lifetime (issue 12): a partner's app that dates
ticks and notes from 1970 to 9998 can't make this device open a month file for each."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from companion import service, verify
from companion.domain import model as m
from companion.domain.hlc import format_stamp, stamp_ms
from companion.domain.ids import owned_id, tick_id
from companion.domain.records import make_op
from companion.sync.problems import INVALID

from .syncsim import PASS, Device, World, fast_kdf, partners
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


def olden_notes(session, count: int = 5) -> list[dict]:
    return [
        session.op("create", owned_id(ms_of(dt.date(1975 + i, 3, 3)), session.me), m.GRATITUDE,
                   {"text": f"from long ago {i}", "to": session.partner})
        for i in range(count)
    ]  # fmt: skip


def test_the_spaces_beginning_is_what_my_own_record_says(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    began = alex.replica.get(alex.me, m.PARTNER).get(m.BEGAN)
    assert isinstance(began, int) and began <= alex.now()
    # the joiner's is the space's first record, as it found it
    joined = sam.replica.get(sam.me, m.PARTNER).get(m.BEGAN)
    assert joined == stamp_ms(alex.replica.get(alex.me, m.PARTNER).created)


def test_a_partner_who_joins_dated_long_ago_cant_widen_the_lifetime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sam's modified app joins with a clock in 1971, so its very first record says the space
    began then; Alex's devices date the space by Alex's own record, and refuse notes from 1975
    (before, the earliest partner record moved the beginning for everyone)."""
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex"])
    alex = world.devices[0].session
    folder = tmp_path / "folder1"
    folder.mkdir()
    shutil.copytree(world.space(world.devices[0]), folder / "companion")
    long_ago = iter(range(ms_of(dt.date(1971, 2, 1)), 10**13, 1000))
    sam = service.join_space(tmp_path / "home1", folder, "Sam", PASS, lambda: next(long_ago))
    world.devices.append(Device("Sam", folder, tmp_path / "home1", sam))
    sam.now = world.clock  # its clock put right again, it writes what it likes
    sam.sync()
    write_as(sam, olden_notes(sam))
    sam.add_gratitude("for tonight")
    exchange(world)
    assert alex.partners()[sam.me] == "Sam"
    assert "for tonight" in notes(alex)
    assert not any("from long ago" in n for n in notes(alex))
    assert any(p["kind"] == INVALID for p in alex.replica.meta("problems", []))
    # verify dates the space as sync does (by Alex's own record), so it tells the old notes
    report = verify.run_unlocked(alex.profile, alex.header, alex._data_key)
    told = [p for p in report.problems if p.kind == INVALID and p.device == sam.device_id]
    assert any(p.message.startswith("It holds") and "lifetime" in p.message for p in told), told
    rebuilt = service.rebuild_replica(alex)  # the whole folder in one pass says the same
    assert notes(rebuilt) == notes(alex)


def test_a_rebuild_reads_a_partners_record_made_again_long_ago_as_refused(couple: World) -> None:
    """All in one pass, the record made again and the notes dated by it: still refused."""
    alex, sam = (d.session for d in couple.devices)
    old = format_stamp(ms_of(dt.date(1971, 1, 1)), 0, sam.device_id)
    again = make_op("create", sam.me, m.PARTNER, old, sam.device_id, sam.me, {"name": "Sam"})
    write_as(sam, [again, *olden_notes(sam)])
    exchange(couple)
    assert not any("from long ago" in n for n in notes(alex))
    rebuilt = service.rebuild_replica(alex)
    assert not any("from long ago" in n for n in notes(rebuilt))
    assert rebuilt.replica.get(sam.me, m.PARTNER).created > old


def test_a_space_from_before_writes_its_beginning_once_from_its_first_record() -> None:
    from companion.domain.records import Record
    from companion.sync import lifetime

    def partner(pid: str, made: int, **fields: object) -> Record:
        stamp = format_stamp(made, 0, "d" + pid)
        return Record(pid, m.PARTNER, pid, "d" + pid, stamp, stamp, False, dict(fields))

    old = [partner("a1", 5_000, name="Alex"), partner("b2", 9_000, name="Sam")]
    assert lifetime.began_ms(old, "b2") is None
    assert lifetime.began_to_write(old, "b2") == 5_000  # the earliest record: Alex's
    assert lifetime.began_to_write(old, "c3") is None  # no record of mine yet: nothing
    assert lifetime.began_to_write(old[1:], "b2") is None  # alone: the other's may be coming
    said = [partner("a1", 5_000, name="Alex"), partner("b2", 9_000, name="Sam", began=4_000)]
    assert lifetime.began_ms(said, "b2") == 4_000
    assert lifetime.began_to_write(said, "b2") is None
    # what the other partner's record says is theirs, never mine
    assert lifetime.began_ms(said, "a1") is None


def test_joining_before_the_folder_is_all_there_writes_the_beginning_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sam joins while the sync tool has brought only space.json: no record says when the
    space began yet, so Sam's says nothing until Alex's arrives; then opening writes it, and
    Alex's ticks from the weeks before Sam joined are not refused."""
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex"])
    alex = world.devices[0].session
    action = alex.add_care("Make tea", "daily")
    ticked_on = alex.tick(action.id).get("date")
    world.clock.ms += 60 * 24 * 60 * 60 * 1000  # two months pass before Sam joins
    folder = tmp_path / "folder1"
    (folder / "companion" / "devices").mkdir(parents=True)
    shutil.copy(world.space(world.devices[0]) / "space.json", folder / "companion")
    sam = service.join_space(tmp_path / "home1", folder, "Sam", PASS, world.clock)
    world.devices.append(Device("Sam", folder, tmp_path / "home1", sam))
    assert sam.replica.get(sam.me, m.PARTNER).get(m.BEGAN) is None
    exchange(world)
    sam.close()
    sam = service.Session.unlock(tmp_path / "home1", PASS, world.clock)
    world.devices[1].session = sam
    began = sam.replica.get(sam.me, m.PARTNER).get(m.BEGAN)
    assert began == stamp_ms(alex.replica.get(alex.me, m.PARTNER).created)
    exchange(world)
    ticked = sam.replica.records_of([m.TICK], sam.replica.partitions())
    assert [t.get("date") for t in ticked] == [ticked_on]
    assert not any(p["kind"] == INVALID for p in sam.replica.meta("problems", []))
