"""The admission horizon (issue 12): a partner's change dated far ahead of every clock is held
and reported as a clock problem, not merged to win over every later edit; it comes in once
the clocks reach it."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion import service, views
from companion.domain import model as m
from companion.domain.hlc import format_stamp
from companion.domain.records import make_op
from companion.errors import UsageError
from companion.sync import horizon, segments
from companion.sync.problems import FUTURE

from .syncsim import World, partners
from .test_signing import exchange, write_raw

DAY_MS = 24 * 60 * 60 * 1000
END_OF_TIME = 10**15 - 1


@pytest.fixture
def couple(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return partners(tmp_path, monkeypatch)


def write_as(session: service.Session, ops: list[dict]) -> int:
    """Sam's modified app: authentic, signed, with the stamps it chooses."""
    journal = session.journal
    return write_raw(
        session,
        lambda seq, prev: segments.encode(
            journal.key, journal.space_id, session.device_id, seq, prev, ops, journal.signer
        ),
    )


def stamped(session: service.Session, wall: int, counter: int = 0) -> str:
    return format_stamp(wall, counter, session.device_id)


def kinds(session: service.Session) -> set[str]:
    return {p["kind"] for p in session.replica.meta("problems", [])}


def test_a_change_dated_at_the_end_of_time_is_held_and_the_later_edit_wins(
    couple: World,
) -> None:
    alex, sam = (d.session for d in couple.devices)
    proposed = sam.propose_agreement("We put phones away at dinner")
    exchange(couple)
    far = make_op("set", proposed.id, m.AGREEMENT, stamped(sam, END_OF_TIME, 999_999),
                  sam.device_id, sam.me, {"text": "Sam decides everything"})  # fmt: skip
    need = sam.add_need("placeholder")
    fine = make_op("set", need.id, m.NEED, stamped(sam, sam.now()), sam.device_id, sam.me,
                   {"text": "A slow breakfast"})  # fmt: skip
    write_as(sam, [far, fine])
    exchange(couple)
    [agreement] = alex.core(m.AGREEMENT)
    assert agreement.get("text") == "We put phones away at dinner"
    assert {n.get("text") for n in alex.core(m.NEED)} >= {"A slow breakfast"}
    assert FUTURE in kinds(alex)
    problem = next(p for p in alex.replica.meta("problems") if p["kind"] == FUTURE)
    assert "held, not merged and not lost" in problem["message"]
    assert "date and time" in problem["message"]
    assert horizon.held(alex.replica)[sam.device_id]
    text = views.status_text(views.status_data(alex))
    assert "dated more than a day ahead" in text
    # Alex's later edit, made without ever seeing the far one, takes effect on both sides
    alex.accept_agreement("phones")
    exchange(couple)
    for session in (alex, sam):
        [agreement] = session.core(m.AGREEMENT)
        assert agreement.get("status") == m.ACCEPTED
    assert alex.core(m.AGREEMENT)[0].get("text") == "We put phones away at dinner"


def test_a_change_two_days_ahead_comes_in_once_the_clocks_reach_it(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    note = sam.add_gratitude("for the lift")
    exchange(couple)
    ahead = sam.now() + 2 * DAY_MS
    write_as(sam, [make_op("set", note.id, m.GRATITUDE, stamped(sam, ahead), sam.device_id,
                           sam.me, {"text": "for the lift, and the soup"})])  # fmt: skip
    exchange(couple)
    assert alex.note(note.id).get("text") == "for the lift"
    assert FUTURE in kinds(alex)
    couple.clock.ms += 2 * DAY_MS  # a couple of days later
    exchange(couple)
    assert alex.note(note.id).get("text") == "for the lift, and the soup"
    assert FUTURE not in kinds(alex)
    assert not horizon.held(alex.replica)


def test_nothing_is_written_for_a_record_dated_at_the_end_of_time(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    note = alex.add_gratitude("for the walk")
    exchange(couple)
    end = format_stamp(END_OF_TIME, 999_999, alex.device_id)
    sam.replica.apply(
        [make_op("set", note.id, m.GRATITUDE, end, alex.device_id, alex.me, {"read": False})]
    )
    before = sorted(p.name for p in sam.journal.own_dir.iterdir())
    with pytest.raises(UsageError, match="very end of time"):
        sam.mark_notes([sam.note(note.id)], read=True, landed=True)
    assert sorted(p.name for p in sam.journal.own_dir.iterdir()) == before


def test_no_device_gets_more_than_a_week_ahead_a_day_at_a_time(couple: World) -> None:
    """Each change a day beyond the one before: they come in up to a week ahead of this
    clock, and the rest wait, reported, instead of winning for a month."""
    alex, sam = (d.session for d in couple.devices)
    need = sam.add_need("A quiet hour")
    exchange(couple)
    now = sam.now()
    steps = [
        make_op("set", need.id, m.NEED, stamped(sam, now + day * DAY_MS - 5000), sam.device_id,
                sam.me, {"text": f"A quiet hour, day {day}"})
        for day in range(1, 12)
    ]  # fmt: skip
    write_as(sam, steps)
    exchange(couple)
    assert alex.replica.get(need.id, m.NEED).get("text") == "A quiet hour, day 7"
    assert len(horizon.held(alex.replica)[sam.device_id]) == 4
    assert FUTURE in kinds(alex)
