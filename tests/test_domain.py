"""Records, ids, clocks and rules: pure, fast, no IO."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.domain import model as m
from companion.domain import rules
from companion.domain.hlc import MAX_DRIFT_MS, Clock, format_stamp, parse_stamp
from companion.domain.ids import (
    checkin_id,
    id_ms,
    is_valid_id,
    iso_week,
    make_id,
    tick_id,
    week_monday,
)
from companion.domain.records import make_op, merge, record_from_state
from companion.errors import UsageError


def test_ids_carry_their_time_and_differ_in_their_prefix():
    ms = 1_764_000_000_000
    a, b = make_id(ms), make_id(ms)
    assert is_valid_id(a) and id_ms(a) == ms
    assert a[:8] != b[:8]


def test_natural_ids_are_deterministic():
    day = dt.date(2026, 11, 26)
    assert tick_id("A", day) == tick_id("A", day) != tick_id("B", day)
    assert (
        checkin_id("p1", "2026-W48") == checkin_id("p1", "2026-W48") != checkin_id("p2", "2026-W48")
    )
    assert week_monday(iso_week(day)) == dt.date(2026, 11, 23)


def test_clock_is_monotonic_and_ignores_far_future_stamps():
    clock = Clock("dev1")
    first = clock.tick(1000)
    second = clock.tick(999)  # the wall clock went back
    assert second > first
    clock.observe(format_stamp(5000, 3, "dev2"), now_ms=1000)
    assert clock.tick(1000) > format_stamp(5000, 3, "dev2")
    far = format_stamp(1000 + MAX_DRIFT_MS + 1, 0, "dev3")
    clock.observe(far, now_ms=1000)
    assert clock.tick(1000) < far
    assert parse_stamp(first) == (1000, 0, "dev1")


def _op(kind, rid, stamp, dev, fields=None, author="p"):
    return make_op(kind, rid, "note", stamp, dev, author, fields)


def test_per_field_last_writer_wins_and_tombstones():
    s = lambda ms, d: format_stamp(ms, 0, d)  # noqa: E731
    ops = [
        _op("create", "r", s(1, "a"), "a", {"text": "hi", "read": False}),
        _op("set", "r", s(3, "b"), "b", {"read": True}),
        _op("set", "r", s(2, "a"), "a", {"text": "hello"}),
        _op("delete", "r", s(4, "a"), "a"),
    ]
    state = None
    for op in ops:
        state = merge(state, op)
    record = record_from_state(state)
    assert record.fields == {"text": "hello", "read": True}
    assert record.deleted and record.author == "p" and record.device == "a"


def test_set_before_create_is_invisible_until_create_arrives():
    s1, s2 = format_stamp(1, 0, "a"), format_stamp(2, 0, "b")
    state = merge(None, _op("set", "r", s2, "b", {"read": True}))
    assert record_from_state(state) is None
    state = merge(state, _op("create", "r", s1, "a", {"text": "x", "read": False}))
    assert record_from_state(state).fields == {"text": "x", "read": True}


FIELDS = st.sampled_from(["text", "read", "landed"])
VALUES = st.one_of(st.booleans(), st.text(max_size=5), st.none())


@st.composite
def op_lists(draw):
    ops = []
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["create", "set", "delete"]))
        dev = draw(st.sampled_from(["a", "b", "c"]))
        # Equal stamps from one device happen only with cloned profiles; include them.
        stamp = format_stamp(draw(st.integers(0, 6)), draw(st.integers(0, 2)), dev)
        rid = draw(st.sampled_from(["r1", "r2"]))
        fields = draw(st.dictionaries(FIELDS, VALUES, max_size=3))
        ops.append(_op(kind, rid, stamp, dev, fields, author=dev))
    return ops


def _fold(ops):
    states = {}
    for op in ops:
        states[op["id"]] = merge(states.get(op["id"]), op)
    return states


@settings(max_examples=300, deadline=None)
@given(op_lists(), st.randoms(use_true_random=False))
def test_merge_is_order_free_and_idempotent(ops, rnd):
    reference = _fold(ops)
    shuffled = list(ops) + rnd.sample(ops, k=len(ops) // 2)  # duplicates too
    rnd.shuffle(shuffled)
    assert _fold(shuffled) == reference


def test_cadences_and_due_items():
    mk = lambda cadence, days=(): record_from_state(  # noqa: E731
        merge(
            None,
            make_op(
                "create",
                make_id(1),
                m.CARE,
                format_stamp(1, 0, "d"),
                "d",
                "me",
                {"title": cadence, "cadence": cadence, "days": list(days)},
            ),
        )
    )
    monday, saturday = dt.date(2026, 11, 23), dt.date(2026, 11, 28)
    assert rules.is_due(mk(m.DAILY), saturday)
    assert rules.is_due(mk(m.WEEKDAYS), monday) and not rules.is_due(mk(m.WEEKDAYS), saturday)
    assert rules.is_due(mk(m.DAYS, [5]), saturday) and not rules.is_due(mk(m.DAYS, [5]), monday)
    assert not rules.is_due(mk(m.AS_NEEDED), monday)
    weekly = mk(m.WEEKLY)
    tick = record_from_state(
        merge(
            None,
            make_op(
                "create",
                tick_id(weekly.id, monday),
                m.TICK,
                format_stamp(2, 0, "d"),
                "d",
                "me",
                {"action": weekly.id, "date": monday.isoformat(), "status": m.DONE},
            ),
        )
    )
    items = rules.due_today([weekly], [tick], "me", monday)
    assert [i.status for i in items] == [m.DONE]
    assert rules.due_today([weekly], [tick], "me", monday + dt.timedelta(days=2)) == []
    assert rules.due_count(mk(m.WEEKDAYS), "2026-W48") == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [("daily", ("daily", [])), ("Mon, Thu", ("days", [0, 3])), ("as needed", ("as-needed", []))],
)
def test_parse_cadence(text, expected):
    assert m.parse_cadence(text) == expected


@pytest.mark.parametrize("bad", ["", "   ", "x" * 2001])
def test_clean_text_refuses(bad):
    with pytest.raises(UsageError):
        m.clean_text(bad, "note")


@pytest.mark.parametrize("bad", [0, 6, "x", None])
def test_energy_range(bad):
    with pytest.raises(UsageError):
        m.parse_energy(bad)


def test_weekly_rollups_file_a_note_by_the_local_day_it_was_written(monkeypatch):
    """Just after midnight on a Monday, Berlin time, is still Sunday in UTC."""
    import time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        written = int(dt.datetime(2025, 12, 1, 0, 30).timestamp() * 1000)  # Monday, local
        note = record_from_state(
            merge(
                None,
                make_op(
                    "create",
                    make_id(written),
                    m.GRATITUDE,
                    format_stamp(written, 0, "d"),
                    "d",
                    "a",
                    {"text": "thanks for last night", "to": "b"},
                ),
            )
        )
        [week] = rules.weekly_rollups([note], ["a", "b"])
        assert week.week == "2025-W49" and week.partners["b"].notes_received == 1
    finally:
        monkeypatch.undo()
        time.tzset()


def test_weekly_rollups_count_support_as_the_receiver_saw_it():
    stamp = format_stamp(1_764_000_000_000, 0, "d")
    note = record_from_state(
        merge(
            None,
            make_op(
                "create",
                make_id(1_764_000_000_000),
                m.GRATITUDE,
                stamp,
                "d",
                "a",
                {"text": "thanks", "to": "b", "landed": True},
            ),
        )
    )
    checkin = record_from_state(
        merge(
            None,
            make_op(
                "create",
                checkin_id("b", "2025-W48"),
                m.CHECKIN,
                stamp,
                "d",
                "b",
                {"week": "2025-W48", "supported": "tea", "attention": "x", "victory": "walk"},
            ),
        )
    )
    weeks = rules.weekly_rollups([note, checkin], ["a", "b"])
    by_week = {w.week: w for w in weeks}
    assert by_week["2025-W48"].partners["b"].notes_received == 1
    assert by_week["2025-W48"].partners["b"].notes_landed == 1
    assert by_week["2025-W48"].partners["b"].victories == ["walk"]
    assert not by_week["2025-W48"].checkins_held
