"""Taking a note back is judged on the recipient's side too: a removal stamped long after the
note was sent is refused and reported, however authentically it is signed."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.domain import model as m
from companion.domain import moments, rights
from companion.domain.hlc import format_stamp
from companion.domain.ids import owned_id
from companion.domain.records import make_op
from companion.errors import UsageError
from companion.service import Session

from .test_moments import pair

__all__ = ["pair"]  # the fixture: Alex and Sam on one clock the test moves

SAM, ALEX = "5a" * 8, "a1" * 8
SAM_DEVICE = "d5" * 8
SENT_MS = 1_795_725_000_000
LIMIT_MS = m.UNSEND_WINDOW_MS + m.UNSEND_ALLOWANCE_MS


def _write_as(session: Session, ops: list[dict[str, Any]]) -> int:
    """Write operations as a modified app on that device would: authentic, in a new segment."""
    journal, device = session.journal, session.device_id
    last = journal.listing(device).last_seq
    journal.write(last + 1, journal.digest_of(device, last) or "", ops)
    return last + 1


def _refusals(session: Session) -> list[str]:
    return [p.message for p in session.problems() if p.kind == "not-allowed"]


@given(
    delay_ms=st.integers(min_value=0, max_value=3 * LIMIT_MS),
    kind=st.sampled_from(["delete", "set", "create"]),
)
def test_a_removal_is_allowed_only_within_the_window_of_sending(delay_ms: int, kind: str) -> None:
    note_id = owned_id(SENT_MS, SAM)
    created = format_stamp(SENT_MS, 0, SAM_DEVICE)
    stamp = format_stamp(SENT_MS + delay_ms, 0, SAM_DEVICE)
    fields = {} if kind == "delete" else {"deleted": True}
    removal = make_op(kind, note_id, m.GRATITUDE, stamp, SAM_DEVICE, SAM, fields)
    note = rights.Owned(m.GRATITUDE, SAM, created)
    verdict = rights.judge(removal, note, None, [ALEX, SAM])
    if delay_ms <= LIMIT_MS:
        assert verdict is None
    else:
        assert isinstance(verdict, rights.NotAllowed) and verdict.tried == "unsend"
        told = verdict.describe({SAM: "Sam"}, ALEX)
        assert told.startswith("tried to take back a note long after sending it")
    # changes other than a removal are judged as before, whenever they come
    edit = make_op("set", note_id, m.GRATITUDE, stamp, SAM_DEVICE, SAM, {"text": "Thanks"})
    assert rights.judge(edit, note, None, [ALEX, SAM]) is None


@given(ahead_ms=st.integers(min_value=0, max_value=12 * 60 * 60 * 1000))
def test_the_window_follows_the_authors_stamps_when_a_partners_clock_drags_them(
    ahead_ms: int,
) -> None:
    """An id made by the author's wall clock, a create stamped by a clock dragged ahead by the
    partner's: a removal four minutes later by the same dragged clock is in time."""
    note_id = owned_id(SENT_MS, SAM)
    created = format_stamp(SENT_MS + ahead_ms, 3, SAM_DEVICE)
    stamp = format_stamp(SENT_MS + ahead_ms + 4 * 60_000, 0, SAM_DEVICE)
    assert moments.removal_in_time(note_id, created, stamp)
    assert not moments.removal_in_time(
        note_id, created, format_stamp(SENT_MS + ahead_ms + LIMIT_MS + 1, 0, SAM_DEVICE)
    )


def test_a_late_removal_from_an_authentic_segment_is_refused_and_told(pair) -> None:
    alex, sam, clock = pair
    sam.sync()
    note = sam.add_gratitude("You waited up for me; I felt looked after.")
    sam.sync()
    alex.sync()
    assert [n.id for n in alex.notes()] == [note.id]
    clock.forward(hours=3)
    # Sam's modified app skips the author's own check and signs the removal all the same
    seq = _write_as(sam, [sam.op("delete", note.id, m.GRATITUDE)])
    alex.sync()
    kept = alex.note(note.id)
    assert kept is not None and kept.get("text") == note.get("text")
    [told] = [p for p in alex.problems() if p.kind == "not-allowed" and p.seq == seq]
    assert "Sam's device tried to take back a note long after sending it" in told.message
    assert "within five minutes of sending" in told.message


def test_a_late_removal_dressed_as_a_change_or_a_new_create_is_refused(pair) -> None:
    alex, sam, clock = pair
    sam.sync()
    note = sam.add_gratitude("You fixed the bike; I could breathe again.")
    sam.sync()
    alex.sync()
    clock.forward(minutes=30)
    _write_as(sam, [sam.op("set", note.id, m.GRATITUDE, {"deleted": True})])
    again = {"text": note.get("text"), "to": alex.me, "read": False, "landed": False}
    _write_as(sam, [sam.op("create", note.id, m.GRATITUDE, {**again, "deleted": True})])
    alex.sync()
    assert alex.note(note.id) is not None
    assert len(_refusals(alex)) == 2


def test_a_clock_turned_back_does_not_reopen_the_window(pair) -> None:
    """The app as it is, on a computer whose clock was set back to a minute after sending: its
    stamps only go forward, so the author's app says no and the partner's would too."""
    alex, sam, clock = pair
    sam.sync()
    note = sam.add_gratitude("You called my mum; it meant a lot.")
    sam.sync()
    alex.sync()
    clock.forward(hours=2)
    alex.mark_notes([alex.note(note.id)], read=True, landed=True)
    alex.sync()
    sam.sync()  # Sam's clock has now seen a stamp two hours on
    clock.forward(hours=-2, minutes=1)
    with pytest.raises(UsageError, match="can't be taken back now"):
        sam.unsend_note()
    seq = _write_as(sam, [sam.op("delete", note.id, m.GRATITUDE)])
    alex.sync()
    assert alex.note(note.id) is not None
    assert any(p.seq == seq for p in alex.problems() if p.kind == "not-allowed")


def test_a_removal_in_time_arriving_late_still_takes_the_note_away(pair) -> None:
    """Judged by the stamps, not by when the files arrive: Alex's app reads both a day on."""
    alex, sam, clock = pair
    sam.sync()
    note = sam.add_gratitude("You made the bed; the day began lighter.")
    sam.sync()
    alex.sync()
    clock.forward(minutes=4)
    sam.unsend_note()
    sam.sync()
    clock.forward(days=1)
    alex.sync()
    assert alex.note(note.id) is None and _refusals(alex) == []


def test_a_dragged_clock_still_takes_a_note_back_in_time(pair) -> None:
    """Alex's clock runs three hours ahead and Sam's stamps follow it: within five minutes by
    Sam's own clock, the note still goes from both apps."""
    alex, sam, clock = pair
    clock.forward(hours=3)
    alex.add_need("A quiet hour after work")
    alex.sync()
    clock.forward(hours=-3)
    sam.sync()
    note = sam.add_gratitude("You carried the shopping; I felt less alone.")
    sam.sync()
    alex.sync()
    clock.forward(minutes=4)
    sam.unsend_note()
    sam.sync()
    alex.sync()
    assert alex.note(note.id) is None and sam.note(note.id) is None
    assert _refusals(alex) == []
