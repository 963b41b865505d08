"""The evening's moments: pauses and their limits, support asked and answered through the real
sync path, notes taken back within five minutes, and the evening at a glance in the shell."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.domain import model as m
from companion.domain import moments, rights
from companion.domain.hlc import format_stamp
from companion.domain.records import make_op
from companion.domain.schema import check_op
from companion.errors import UsageError
from companion.service import Session, init_space, join_space
from companion.store import crypto

PASSPHRASE = "correct horse battery staple"
EVENING = dt.datetime(2026, 11, 26, 20, 30).astimezone()


class Clock:
    """An injectable clock for a Session: milliseconds, moved by hand."""

    def __init__(self, when: dt.datetime) -> None:
        self.ms = int(when.timestamp() * 1000)

    def __call__(self) -> int:
        return self.ms

    def forward(self, **delta: float) -> None:
        self.ms += int(dt.timedelta(**delta).total_seconds() * 1000)


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Session, Session, Clock]:
    """Alex and Sam, each with a session on one shared clock that the test moves."""
    monkeypatch.setattr(crypto, "ARGON2_DEFAULTS", {"iterations": 1, "lanes": 1, "memory_cost": 8})
    shared = tmp_path / "shared"
    shared.mkdir()
    clock = Clock(EVENING)
    init_space(tmp_path / "alex", shared, "Alex", PASSPHRASE).close()
    join_space(tmp_path / "sam", shared, "Sam", PASSPHRASE).close()
    alex = Session.unlock(tmp_path / "alex", PASSPHRASE, now=clock)
    sam = Session.unlock(tmp_path / "sam", PASSPHRASE, now=clock)
    alex.sync()
    return alex, sam, clock


# -- pauses ---------------------------------------------------------------------------------


@given(st.integers(min_value=-10, max_value=3000))
def test_a_pause_lasts_twenty_minutes_to_a_day(minutes: int) -> None:
    if m.PAUSE_MIN_MINUTES <= minutes <= m.PAUSE_MAX_MINUTES:
        back = moments.pause_until(EVENING, minutes=minutes)
        assert back - EVENING == dt.timedelta(minutes=minutes)
    else:
        with pytest.raises(UsageError) as refused:
            moments.pause_until(EVENING, minutes=minutes)
        assert "twenty minutes" in refused.value.message or "within a day" in refused.value.message


def test_a_pause_until_a_time_is_the_next_time_the_clock_shows_it() -> None:
    assert moments.pause_until(EVENING, until="21:30") == EVENING.replace(hour=21, minute=30)
    after_midnight = moments.pause_until(EVENING, until="00:15")
    assert after_midnight.date() == EVENING.date() + dt.timedelta(days=1)
    with pytest.raises(UsageError, match="20 minutes"):
        moments.pause_until(EVENING, until="20:40")  # ten minutes away
    with pytest.raises(UsageError, match="not a time of day"):
        moments.pause_until(EVENING, until="25:00")
    with pytest.raises(UsageError, match="not both"):
        moments.pause_until(EVENING, minutes=30, until="21:30")


def test_a_pause_shows_for_both_then_becomes_a_repair_step_for_both(pair) -> None:
    alex, sam, clock = pair
    alex.propose_agreement("We pause an argument when either of us says pause")
    alex.sync()
    sam.sync()
    sam.accept_agreement("pause")
    sam.sync()
    pause = alex.start_pause(until="21:30", note="I need a walk")
    sam.sync()
    theirs = sam.pause_in_effect()
    assert theirs is not None and not theirs.mine and theirs.record.get("note") == "I need a walk"
    assert sam.clock_time(theirs.until_ms) == "21:30"
    assert sam.repairs_due() == [] and alex.repairs_due() == []
    clock.forward(minutes=61)  # 21:31: the time has come
    assert sam.pause_in_effect() is None and alex.pause_in_effect() is None
    assert [p.record.id for p in sam.repairs_due()] == [pause.id]
    assert [p.record.id for p in alex.repairs_due()] == [pause.id]
    assert "pause" in sam.pause_agreement().get("text")
    # kept private: nothing travels; shared: the partner reads it
    sam.take_repair(pause.id, "Listen before I answer", None)
    assert sam.repairs_due() == [] and sam.private_repair(pause.id)["again"]
    sam.sync()
    alex.sync()
    assert alex.moments().shared == []
    alex.take_repair(pause.id, None, "You were worried, not angry", share=True)
    alex.sync()
    sam.sync()
    [shared] = sam.moments().shared
    assert shared.get("understood") == "You were worried, not angry"


def test_a_pause_ends_early_and_one_at_a_time(pair) -> None:
    alex, sam, clock = pair
    alex.start_pause(minutes=45)
    with pytest.raises(UsageError, match="pausing already"):
        alex.start_pause(minutes=30)
    clock.forward(minutes=5)
    alex.end_pause()
    alex.sync()
    sam.sync()
    assert sam.pause_in_effect() is None
    assert len(sam.repairs_due()) == 1
    with pytest.raises(UsageError, match="no pause"):
        alex.end_pause()


def test_a_pause_written_longer_than_a_day_is_read_as_a_day(pair) -> None:
    alex, sam, clock = pair
    record = alex.start_pause(minutes=60)
    week = record.get("until") + 7 * 24 * 3600 * 1000
    alex.commit([alex.op("set", record.id, m.PAUSE, {"until": week})])
    alex.sync()
    sam.sync()
    clock.forward(hours=24, minutes=1)
    assert sam.pause_in_effect() is None


# -- support --------------------------------------------------------------------------------


def test_support_asked_answered_and_over_with_the_evening(pair) -> None:
    alex, sam, clock = pair
    sam.add_need("Make tea when I get home")
    sam.add_need("Ask how the day went, then just listen")
    sam.sync()
    alex.sync()
    assert alex.partner_request() is None
    sam.ask_support("a hard call with my mother")
    sam.sync()
    alex.sync()
    request = alex.partner_request()
    assert request is not None and request.record.get("word") == "a hard call with my mother"
    assert [n.get("text") for n in request.menu] == [
        "Make tea when I get home",
        "Ask how the day went, then just listen",
    ]
    with pytest.raises(UsageError):
        sam.answer_support("tea")  # one doesn't answer one's own request
    alex.answer_support("tea")
    alex.sync()
    sam.sync()
    mine = sam.my_request()
    assert mine is not None and mine.record.get("answer") == "Make tea when I get home"
    clock.forward(hours=7, minutes=31)  # 04:01: the night is over
    assert sam.requests() == [] and alex.requests() == []


def test_a_request_written_to_last_for_days_is_read_as_one_evening(pair) -> None:
    alex, sam, clock = pair
    record = sam.ask_support(None)
    sam.commit([sam.op("set", record.id, m.SUPPORT, {"until": record.get("until") * 2})])
    sam.sync()
    alex.sync()
    assert alex.partner_request() is not None
    clock.forward(hours=30, minutes=1)
    assert alex.partner_request() is None


def test_only_the_partner_asked_answers_and_only_the_author_pauses() -> None:
    asker, partner = "a" * 16, "b" * 16
    owned = rights.Owned(m.SUPPORT, asker)
    answer = {"answer": "Make tea", "answer_need": None}
    stamp = format_stamp(1_795_725_000_000, 1, "c" * 16)

    def op(author: str, record_type: str, fields: dict) -> dict:
        return make_op("set", "0" * 26, record_type, stamp, "c" * 16, author, fields)

    assert rights.judge(op(partner, m.SUPPORT, answer), owned, None, [asker, partner]) is None
    refused = rights.judge(op(asker, m.SUPPORT, answer), owned, None, [asker, partner])
    assert isinstance(refused, rights.NotAllowed)
    ended = rights.judge(
        op(partner, m.PAUSE, {"ended": True}), rights.Owned(m.PAUSE, asker), None, [asker, partner]
    )
    assert isinstance(ended, rights.NotAllowed)
    assert check_op(op(asker, m.PAUSE, {"until": "soon"})) is not None
    assert check_op(op(asker, m.SUPPORT, {"word": "x" * (m.MAX_WORD + 1)})) is not None


# -- notes with a second thought ------------------------------------------------------------


def test_a_note_taken_back_within_five_minutes_is_gone_for_both(pair) -> None:
    alex, sam, clock = pair
    note = alex.add_gratitude("Thanks!")
    alex.sync()
    sam.sync()
    assert [n.id for n in sam.notes()] == [note.id]
    sam.mark_notes([sam.note(note.id)], read=True)  # Sam saw it: it goes all the same
    sam.sync()
    clock.forward(minutes=4)
    alex.sync()
    alex.unsend_note()
    alex.sync()
    sam.sync()
    assert sam.notes() == [] and alex.notes() == []


def test_a_note_is_not_taken_back_after_five_minutes(pair) -> None:
    alex, _, clock = pair
    alex.add_gratitude("You cooked on Tuesday; I could finally breathe.")
    clock.forward(minutes=5, seconds=1)
    assert alex.recent_sent() is None
    with pytest.raises(UsageError, match="no note of yours"):
        alex.unsend_note()
    with pytest.raises(UsageError, match="more than five minutes ago"):
        alex.unsend_note("cooked")


def test_the_window_is_the_authors_own_clock_not_the_partners(pair) -> None:
    """A partner's clock far ahead drags the stamps, not the window: the note's id holds the
    author's own time of sending."""
    alex, sam, clock = pair
    clock.forward(hours=3)  # Sam's device writes three hours ahead…
    sam.add_need("Tea")
    sam.sync()
    clock.forward(hours=-3)  # …and Alex's clock is right
    alex.sync()
    note = alex.add_gratitude("You listened tonight; I felt heard.")
    assert note.created > f"{clock.ms + 3600_000:015d}", "the stamp was dragged ahead"
    clock.forward(minutes=6)
    with pytest.raises(UsageError, match="five minutes"):
        alex.unsend_note()


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("Thanks!", True),
        ("thank you", True),
        ("hello", True),
        ("Thank you for the tea", False),
        ("I felt looked after", False),
        ("You picked up the kids; it meant a lot.", False),
    ],
)
def test_a_note_naming_neither_what_nor_how_gets_one_suggestion(text: str, suggested: bool) -> None:
    assert (moments.note_suggestion(text) is not None) is suggested


# -- the command line -----------------------------------------------------------------------


def test_cli_support_through_the_shared_folder(couple) -> None:
    alex, sam = couple
    sam.ok("add", "need", "Make tea when I get home")
    asked = sam.ok("support", "a", "long", "day")
    assert "Alex will see" in asked.out
    evening = alex.ok("tonight", "--json").json()
    [request] = evening["support"]
    assert request["by"] == "Sam" and request["word"] == "a long day"
    assert request["menu"] == ["Make tea when I get home"] and request["answer"] is None
    assert "Make tea" in alex.ok("support", "--answer", "tea").out
    [mine] = sam.ok("tonight", "--json").json()["support"]
    assert mine["mine"] and mine["answer"] == "Make tea when I get home"
    refused = sam.run("support", "--answer", "tea")
    assert refused.code == 1 and "hasn't asked" in refused.err


def test_cli_pause_limits_and_what_the_partner_sees(couple) -> None:
    alex, sam = couple
    short = alex.run("pause", "--minutes", "5")
    assert short.code == 1 and "twenty minutes" in short.err and "Traceback" not in short.err
    assert alex.run("pause", "--minutes", "1500").code == 1
    alex.ok("pause", "--minutes", "40", "--note", "a walk")
    text = sam.ok("tonight").out
    assert "Alex is taking a pause" in text and "a walk" in text
    assert alex.ok("pause", "--end").code == 0
    assert "repair" in sam.ok("tonight").out


def test_cli_unsend_and_the_gentle_suggestion(couple) -> None:
    alex, sam = couple
    sent = alex.ok("add", "gratitude", "Thanks!")
    assert "A thought before it goes" in sent.err and "Sent to Sam" in sent.out
    plain = alex.ok("add", "gratitude", "Thanks again!", "--as-is")
    assert "A thought" not in plain.err
    assert len(sam.ok("tonight", "--json").json()["arrived"]) == 2
    alex.ok("unsend")
    alex.ok("unsend")
    assert sam.ok("list", "gratitude", "--json").json() == []
    alex.ok("add", "gratitude", "You listened; I felt heard.")
    later = (dt.datetime.now() + dt.timedelta(minutes=10)).isoformat(timespec="seconds")
    late = alex.run("unsend", COMPANION_NOW=later)
    assert late.code == 1 and "five minutes" in late.err and "Traceback" not in late.err
    assert len(sam.ok("list", "gratitude", "--json").json()) == 1


def test_cli_tonight_shows_what_arrived_once(couple) -> None:
    alex, sam = couple
    alex.ok("add", "gratitude", "You made dinner; I felt cared for.")
    first = sam.ok("tonight", "--json").json()
    assert [n["text"] for n in first["arrived"]] == ["You made dinner; I felt cared for."]
    assert first["checkin"]["mine"] == "not yet" and first["pause"] is None
    assert sam.ok("tonight", "--json").json()["arrived"] == []
    assert "No new notes since you last looked" in sam.ok("tonight").out


def test_nothing_counts_pauses_or_requests_for_support(couple) -> None:
    """DESIGN §10: a pause or a request lives for its evening; no command or export keeps a
    list or a number of them, for either partner."""
    alex, sam = couple
    sam.ok("add", "need", "Make tea when I get home")
    for _ in range(2):
        alex.ok("pause", "--minutes", "20")
        alex.ok("pause", "--end")
        sam.ok("support", "a long day")
        alex.ok("support", "--answer", "tea")
        sam.ok("support", "--end")
    moments = re.compile(r"paus|support|request", re.IGNORECASE)
    for person in (alex, sam):
        status = person.ok("status", "--json").out.replace(str(person.shared), "FOLDER")
        assert not moments.search(status.replace(str(person.home), "HOME")), status
        for fmt in ("json", "markdown", "csv"):
            exported = person.ok("export", "--format", fmt).out
            assert not moments.search(exported), exported
        evening = person.ok("tonight", "--json").json()
        assert evening["pause"] is None and evening["support"] == []
        assert not re.search(r"\b2\b", person.ok("tonight").out.split("Check-in")[0])
