"""Names and the records nobody deletes (issue 12): a partner's app can't take the other's
name, however it is written, nor delete a partner's or a device's record."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from companion import service
from companion.domain import model as m
from companion.domain.hlc import format_stamp, stamp_ms
from companion.domain.records import DELETED, make_op
from companion.errors import UsageError
from companion.sync.problems import NOT_ALLOWED, SAME_NAME

from .syncsim import World, partners
from .test_horizon import write_as
from .test_signing import exchange, join_another


@pytest.fixture
def couple(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return partners(tmp_path, monkeypatch)


def refusals(session: service.Session) -> list[str]:
    return [p["message"] for p in session.replica.meta("problems", []) if p["kind"] == NOT_ALLOWED]


def same_name(session: service.Session) -> list[str]:
    return [p["message"] for p in session.replica.meta("problems", []) if p["kind"] == SAME_NAME]


def names_held(session: service.Session) -> dict[str, object]:
    """The partners' records as merged (not as shown): what must converge."""
    return {r.id: r.fields for r in session.replica.records_of([m.PARTNER], ["core"])}


@pytest.mark.parametrize("taken", ["Alex", "alex", " ALEX ", "\uff21\uff4c\uff45\uff58"])
def test_a_partner_cant_take_the_others_name(couple: World, taken: str) -> None:
    alex, sam = (d.session for d in couple.devices)
    with pytest.raises(UsageError, match="Alex's name"):
        sam.rename(taken)
    # Sam's modified app writes it anyway: Alex's app never shows Sam under Alex's name,
    # and says why
    write_as(sam, [sam.op("set", sam.me, m.PARTNER, {"name": taken.strip()})])
    exchange(couple)
    assert alex.partners() == {alex.me: "Alex", sam.me: f"{taken.strip()} (your partner)"}
    assert alex.name_of(sam.me) != alex.name_of(alex.me)
    assert same_name(alex) and "Settings" in same_name(alex)[0], same_name(alex)
    assert any(p.kind == SAME_NAME for p in alex.problems())


def test_a_rename_dated_before_the_others_name_cant_take_it(couple: World) -> None:
    """Stamped between Sam's own name and Alex's rename, the change wins for Sam's field by
    the clocks; it still never shows Sam as Robin on Alex's devices, new ones included."""
    alex, sam = (d.session for d in couple.devices)
    alex.rename("Robin")
    exchange(couple)
    sam_named = sam.replica.field_stamp(sam.me, m.PARTNER, "name")
    robin_named = alex.replica.field_stamp(alex.me, m.PARTNER, "name")
    assert sam_named is not None and robin_named is not None and sam_named < robin_named
    between = format_stamp((stamp_ms(sam_named) + stamp_ms(robin_named)) // 2, 0, sam.device_id)
    assert sam_named < between < robin_named
    backdated = make_op("set", sam.me, m.PARTNER, between, sam.device_id, sam.me,
                        {"name": "robin"})  # fmt: skip
    write_as(sam, [backdated])
    exchange(couple)
    assert alex.partners() == {alex.me: "Robin", sam.me: "robin (your partner)"}
    assert same_name(alex)
    # a new device can't tell which of the two it is joining as, and says so
    with pytest.raises(UsageError, match="Both people in this space go by"):
        join_another(couple, "Robin")
    shutil.rmtree(couple.root / f"folder{len(couple.devices)}")  # what it had copied over
    rebuilt = service.rebuild_replica(alex)  # the whole folder in one pass holds the same
    assert names_held(rebuilt) == names_held(alex) == names_held(sam)
    assert rebuilt.partners() == alex.partners() and same_name(rebuilt)
    couple.devices[0].session = alex = rebuilt
    alex.rename("Alex")  # the mark goes once the names differ again
    exchange(couple)
    laptop = join_another(couple, "Alex")
    exchange(couple)
    alex.approve_device(laptop.my_code())
    exchange(couple)
    for session in (alex, laptop):
        assert session.partners() == {alex.me: "Alex", sam.me: "robin"}
        assert not same_name(session)


def test_two_renames_to_one_name_made_offline_converge_and_are_told_apart(
    couple: World,
) -> None:
    alex, sam = (d.session for d in couple.devices)
    alex.rename("Robin")  # neither app has seen the other's rename: both are honest
    sam.rename("Robin")
    exchange(couple)
    assert names_held(alex) == names_held(sam)
    assert alex.partners() == {alex.me: "Robin", sam.me: "Robin (your partner)"}
    assert sam.partners() == {alex.me: "Robin (your partner)", sam.me: "Robin"}
    assert same_name(alex) and same_name(sam)
    sam.rename("Sam")
    exchange(couple)
    assert alex.partners() == {alex.me: "Robin", sam.me: "Sam"}
    assert not same_name(alex) and not same_name(sam)


def test_a_name_freed_by_a_rename_may_be_taken_in_the_same_pass(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    sam.rename("Robin")
    exchange(couple)
    alex.rename("Sam")  # Sam is Robin now: the name is free
    exchange(couple)
    laptop = join_another(couple, "Robin")
    exchange(couple)
    sam.approve_device(laptop.my_code())
    exchange(couple)  # Sam's changes, held until then, arrive in one pass after Alex's
    assert laptop.partners() == {alex.me: "Sam", sam.me: "Robin"}
    assert not refusals(laptop) and not refusals(alex) and not refusals(sam)


def test_nobody_deletes_a_partner_or_a_device_record(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    write_as(sam, [
        sam.op("delete", sam.device_id, m.DEVICE),
        sam.op("delete", sam.me, m.PARTNER),
        sam.op("set", sam.me, m.PARTNER, {DELETED: True}),
    ])  # fmt: skip
    sam.add_gratitude("still here")
    exchange(couple)
    assert alex.replica.get(sam.me, m.PARTNER) is not None
    assert not alex.replica.get(sam.me, m.PARTNER).deleted
    assert not alex.replica.get(sam.device_id, m.DEVICE).deleted
    assert alex.partners()[sam.me] == "Sam"
    assert any("delete" in message for message in refusals(alex)), refusals(alex)
    assert "still here" in {n.get("text") for n in alex.notes()}
