"""Causality whatever the clocks: devices days apart still agree on what followed what."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion import service, views
from companion.domain import model as m
from companion.domain.hlc import (
    MAX_DRIFT_MS,
    Clock,
    ClockExhausted,
    format_stamp,
    next_after,
    parse_stamp,
    stamp_ms,
)
from companion.domain.records import make_op
from companion.errors import UsageError
from companion.store.replica import partition_for
from companion.tui.read.sync_state import sync_state

from .syncsim import PASS, Device, FakeClock, World, fast_kdf

DAY_MS = 24 * 60 * 60 * 1000
EXAMPLES = int(os.environ.get("COMPANION_CLOCK_EXAMPLES", "40"))

STAMPS = st.builds(
    format_stamp,
    st.integers(0, 10**15 - 1),
    st.integers(0, 10**6 - 1),
    st.sampled_from(["dev-a", "dev-b", "zz"]),
)


# -- the clock ------------------------------------------------------------------------------


@given(floor=STAMPS, now=st.integers(0, 10**14), before=st.integers(0, 10**14))
def test_a_stamp_above_a_floor_wins_without_dragging_the_clock(floor, now, before):
    clock = Clock("dev-c", wall_ms=before)
    stamp = clock.stamp_above(now, floor)
    if next_after(floor, "dev-c") is not None:
        assert stamp > floor
    # the clock itself never jumps further ahead than it would for any remote stamp
    assert clock.wall_ms <= max(now + MAX_DRIFT_MS, before) + 1
    assert clock.tick(now) > format_stamp(before, 0, "dev-c") or before == 0


def test_next_after_sorts_just_above_and_rolls_over():
    assert next_after(format_stamp(5, 7, "zz"), "aa") == format_stamp(5, 8, "aa")
    assert next_after(format_stamp(5, 999_999, "zz"), "aa") == format_stamp(6, 0, "aa")
    assert next_after(format_stamp(10**15 - 1, 999_999, "zz"), "aa") is None


def test_a_counter_run_up_from_elsewhere_keeps_the_stamp_format():
    clock = Clock("dev")
    clock.observe(format_stamp(1000, 999_999, "x"), now_ms=1000)
    assert clock.tick(1000) == format_stamp(1001, 0, "dev")


END = 10**15 - 1  # the last millisecond a stamp holds (the year 33658)
NEAR_END = st.integers(END - 3, END + 10**6)
STEPS_NEAR_THE_END = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), st.one_of(NEAR_END, st.integers(0, END))),
        st.tuples(st.just("observe"), st.builds(format_stamp, NEAR_END.map(lambda w: min(w, END)),
                  st.sampled_from([0, 999_998, 999_999]), st.just("partner"))),
        st.tuples(st.just("above"), st.builds(format_stamp, NEAR_END.map(lambda w: min(w, END)),
                  st.sampled_from([0, 999_999]), st.just("partner"))),
    ),
    max_size=30,
)  # fmt: skip


@given(start=st.sampled_from([0, END - 1, END]), counter=st.sampled_from([0, 999_998, 999_999]),
       steps=STEPS_NEAR_THE_END)  # fmt: skip
def test_a_clock_near_the_end_of_time_never_makes_a_malformed_or_earlier_stamp(
    start, counter, steps
):
    """Whatever this computer's clock reads and whatever a partner's stamps say, near the
    last millisecond a stamp holds: every stamp made parses and is above the ones before,
    or the clock says it has none left (a clear error, nothing written)."""
    clock = Clock("dev", wall_ms=start, counter=counter)
    made: list[str] = []
    for kind, value in steps:
        try:
            if kind == "observe":
                clock.observe(value, now_ms=END)
                continue
            stamp = clock.tick(value) if kind == "tick" else clock.stamp_above(END, value)
        except ClockExhausted as exc:
            assert exc.exit_code == 3 and "date and time" in (exc.hint or "")
            assert clock.wall_ms == END and clock.counter == 999_999
            continue
        parse_stamp(stamp)  # fifteen digits of milliseconds, six of counter: a stamp
        assert stamp_ms(stamp) <= END
        if kind == "tick":
            assert all(stamp > before for before in made)
            made.append(stamp)


def test_the_last_stamp_there_is_is_refused_clearly_not_overflowed():
    clock = Clock("dev", wall_ms=END, counter=999_998)
    assert clock.tick(END + 5) == format_stamp(END, 999_999, "dev")
    with pytest.raises(ClockExhausted, match="33658"):
        clock.tick(END + 5)
    assert clock.last == format_stamp(END, 999_999, "dev")  # not wedged past the format


# -- two devices whose clocks are days apart -------------------------------------------------


def skewed_world(root, offsets: list[int], names: list[str]) -> World:
    """World.setup, but each device reads its own clock: the shared one plus an offset."""
    world = World(root)
    base = FakeClock()
    for i, (name, offset) in enumerate(zip(names, offsets, strict=True)):
        now = lambda offset=offset: base() + offset  # noqa: E731
        folder = root / f"folder{i}"
        folder.mkdir(parents=True)
        device = Device(name, folder, root / f"home{i}")
        if i == 0:
            device.session = service.init_space(device.home, folder, name, PASS, now)
        else:
            shutil.copytree(world.space(world.devices[0]), world.space(device))
            device.session = service.join_space(device.home, folder, name, PASS, now)
        world.devices.append(device)
    exchange(world)
    world.confirm_devices()  # a partner's further device is confirmed, as a person would
    return world


def exchange(world: World) -> None:
    for _ in range(2):
        world.deliver_all()
        for device in world.devices:
            device.session.sync()


@pytest.fixture
def fast(monkeypatch):
    fast_kdf(monkeypatch)


@pytest.mark.parametrize("sam_offset", [-3 * DAY_MS, 3 * DAY_MS])
def test_accept_from_either_clock_takes_effect_on_both_sides(tmp_path, fast, sam_offset):
    world = skewed_world(tmp_path, [0, sam_offset], ["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    alex.propose_agreement("We put phones away at dinner")
    exchange(world)
    accepted = sam.accept_agreement("phones")
    assert accepted.get("status") == m.ACCEPTED
    exchange(world)
    for session in (alex, sam):
        [agreement] = session.core(m.AGREEMENT)
        assert agreement.get("status") == m.ACCEPTED
        assert agreement.get("accepted_by") == sam.me


@pytest.mark.parametrize("sam_offset", [-3 * DAY_MS, 3 * DAY_MS])
def test_landed_from_either_clock_reaches_the_partner(tmp_path, fast, sam_offset):
    world = skewed_world(tmp_path, [0, sam_offset], ["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    note = alex.add_gratitude("Thank you for the soup")
    exchange(world)
    sam.mark_notes([sam.resolve_note("soup")], read=True, landed=True)
    exchange(world)
    assert alex.note(note.id).get("landed") is True
    assert sam.note(note.id).get("landed") is True


def test_the_behind_device_is_told_and_its_clock_is_not_dragged(tmp_path, fast):
    world = skewed_world(tmp_path, [0, -3 * DAY_MS], ["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    alex.propose_agreement("A walk on Sundays")
    exchange(world)
    sam.accept_agreement("walk")
    # a record of its own is still stamped by this computer's clock, not three days ahead
    note = sam.add_gratitude("for the walk")
    assert stamp_ms(note.created) < sam.now() + 60_000
    skew = sam.clock_skew()
    assert skew is not None and skew.owner == "Alex" and not skew.mine
    assert "about 3 days ahead" in skew.message and "Alex's" in skew.hint
    data = views.status_data(sam)
    assert data["clock"]["owner"] == "Alex" and data["clock"]["ahead_hours"] > 70
    text = views.status_text(data)
    assert "Check the date and time on this computer and on Alex's" in text
    state = sync_state(sam)
    assert state.kind == "problem" and state.text == "Check the date and time"
    assert state.clock == (skew.message, skew.hint)
    exchange(world)
    assert alex.clock_skew() is None
    assert views.status_data(alex)["clock"] is None
    assert sync_state(alex).kind == "ok"


def test_clocks_a_few_hours_apart_are_not_reported(tmp_path, fast):
    world = skewed_world(tmp_path, [0, -5 * 60 * 60 * 1000], ["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    alex.add_gratitude("for the tea")
    exchange(world)
    assert sam.clock_skew() is None and alex.clock_skew() is None


def test_a_change_the_merge_discards_is_not_reported_as_done(tmp_path, fast):
    world = skewed_world(tmp_path, [0, 0], ["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    note = alex.add_gratitude("for the lift")
    exchange(world)
    # a stamp at the very end of time, which no later edit can go above
    end = format_stamp(10**15 - 1, 999_999, alex.device_id)
    sam.replica.apply(
        [make_op("set", note.id, m.GRATITUDE, end, alex.device_id, alex.me, {"landed": False})]
    )
    with pytest.raises(UsageError, match="didn't take"):
        sam.mark_notes([sam.note(note.id)], read=True, landed=True)
    assert sam.note(note.id).get("landed") is False


# -- edits in any causal order --------------------------------------------------------------

OFFSETS = st.sampled_from([-3 * DAY_MS, 0, 3 * DAY_MS])
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("rename"), st.sampled_from([0, 2])),
        st.tuples(st.just("landed"), st.booleans()),
        st.tuples(st.just("sync"), st.integers(0, 2)),
    ),
    min_size=1,
    max_size=20,
)


def field_stamp(session, record_id: str, record_type: str, name: str) -> str:
    state = session.replica._raw(partition_for(record_type, record_id))[record_id]
    return state["clocks"][name]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(offsets=st.tuples(OFFSETS, OFFSETS, OFFSETS), steps=STEPS)
def test_every_edit_that_saw_a_value_wins_over_it(tmp_path_factory, monkeypatch, offsets, steps):
    """Alex has two devices, Sam one; each device's clock is up to three days off. Alex renames
    from either device, Sam marks Alex's note landed or not; syncs come in any order. Each
    edit is stamped above the value it replaced, and that value never ends up the winner."""
    fast_kdf(monkeypatch)
    world = skewed_world(tmp_path_factory.mktemp("clocks"), list(offsets), ["Alex", "Sam", "Alex"])
    sessions = [d.session for d in world.devices]
    alex, sam = sessions[0], sessions[1]
    note = alex.add_gratitude("for the morning coffee")
    exchange(world)
    replaced: list[tuple[str, str, str]] = []  # (field, stamp it replaced, stamp of the edit)
    for i, step in enumerate(steps):
        if step[0] == "rename":
            who = sessions[step[1]]
            seen = field_stamp(who, who.me, m.PARTNER, "name")
            who.rename(f"Alex {i}")
            replaced.append(("name", seen, field_stamp(who, who.me, m.PARTNER, "name")))
            assert who.partners()[who.me] == f"Alex {i}"
        elif step[0] == "landed":
            current = sam.note(note.id)
            if current.get("landed") != step[1]:
                seen = field_stamp(sam, note.id, m.GRATITUDE, "landed")
                sam.mark_notes([current], landed=step[1])
                after = field_stamp(sam, note.id, m.GRATITUDE, "landed")
                replaced.append(("landed", seen, after))
                assert sam.note(note.id).get("landed") is step[1]
        else:
            world.deliver_all()
            sessions[step[1]].sync()
    exchange(world)
    finals = {
        "name": {field_stamp(s, alex.me, m.PARTNER, "name") for s in sessions},
        "landed": {field_stamp(s, note.id, m.GRATITUDE, "landed") for s in sessions},
    }
    assert all(len(stamps) == 1 for stamps in finals.values()), finals
    for name, seen, edit in replaced:
        assert edit > seen, (name, seen, edit)
        assert finals[name] != {seen}, f"a replaced value of {name} won: {seen}"


def test_a_record_stamped_at_the_end_of_time_is_shown_not_crashed_on(make_partner, shared):
    """A replica from before far-ahead stamps were held back may hold a partner's note made
    at the very end of time: every command that shows it still works."""
    from .conftest import PASSPHRASE

    alex, sam = make_partner("alex"), make_partner("sam")
    alex.ok("init", str(shared), "--name", "Alex")
    sam.ok("join", str(shared), "--name", "Sam")
    sam.ok("add", "gratitude", "for the soup")
    alex.ok("sync")
    session = service.Session.unlock(alex.home, PASSPHRASE)
    [note] = session.notes()
    end = format_stamp(10**15 - 1, 999_999, note.device)
    session.replica.apply([make_op("set", note.id, m.GRATITUDE, end, note.device, note.author,
                                   {"text": "for the soup, at the end of time"})])  # fmt: skip
    session.replica.apply([make_op("create", "f" * 16, m.PARTNER, end, note.device, "f" * 16,
                                   {"name": "Nobody"})])  # fmt: skip
    session.close()
    listed = alex.ok("list", "gratitude", "--json").json()
    assert any(n["updated_at"].startswith("9999-") for n in listed)
    for command in (["status"], ["tonight"], ["export", "--format", "markdown"],
                    ["export", "--format", "csv"], ["list", "gratitude"]):  # fmt: skip
        done = alex.run(*command)
        assert done.code == 0 and "Traceback" not in done.err, (command, done.err)
