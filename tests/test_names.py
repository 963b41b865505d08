"""Names and the records nobody deletes (issue 12): a partner's app can't take the other's
name, however it is written, nor delete a partner's or a device's record."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion import service
from companion.domain import model as m
from companion.domain.records import DELETED
from companion.errors import UsageError
from companion.sync.problems import NOT_ALLOWED

from .syncsim import World, partners
from .test_horizon import write_as
from .test_signing import exchange, join_another


@pytest.fixture
def couple(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return partners(tmp_path, monkeypatch)


def refusals(session: service.Session) -> list[str]:
    return [p["message"] for p in session.replica.meta("problems", []) if p["kind"] == NOT_ALLOWED]


@pytest.mark.parametrize("taken", ["Alex", "alex", " ALEX ", "\uff21\uff4c\uff45\uff58"])
def test_a_partner_cant_take_the_others_name(couple: World, taken: str) -> None:
    alex, sam = (d.session for d in couple.devices)
    with pytest.raises(UsageError, match="Alex's name"):
        sam.rename(taken)
    # Sam's modified app writes it anyway: Alex's app refuses it, and says so
    write_as(sam, [sam.op("set", sam.me, m.PARTNER, {"name": taken.strip()})])
    exchange(couple)
    assert alex.partners() == {alex.me: "Alex", sam.me: "Sam"}
    assert any("name" in message for message in refusals(alex)), refusals(alex)


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
