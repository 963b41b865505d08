"""Flooding (issue 12): a hostile device can't grow this device's copy without bound with
changes that are kept aside (held, waiting, refused); those over the limit are reported, not
stored, and everything else still merges."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest

from companion import service
from companion.domain import model as m
from companion.domain.hlc import format_stamp
from companion.domain.ids import owned_id
from companion.domain.records import make_op
from companion.store.replica import QUARANTINE
from companion.store.signing import Signer
from companion.sync import caps, horizon, segments, trust
from companion.sync.problems import OVERFLOW

from .syncsim import World, partners
from .test_horizon import write_as
from .test_signing import exchange, join_another, notes

DAY_MS = 24 * 60 * 60 * 1000


@pytest.fixture
def couple(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return partners(tmp_path, monkeypatch)


def overflowed(session: service.Session) -> set[str]:
    return {p["device"] for p in session.replica.meta("problems", []) if p["kind"] == OVERFLOW}


def test_an_unconfirmed_device_flooding_is_capped_at_the_real_limits(couple: World) -> None:
    """A device planted in Alex's name sends 6,000 long notes in six files: Alex's app keeps
    no more than the limits of them, says so, and Sam's own note still arrives."""
    alex, sam = (d.session for d in couple.devices)
    planted, signer = secrets.token_hex(8), Signer.generate()
    now = sam.now()
    public = base64.b64encode(signer.public).decode()
    stamp = iter(range(1, 10**6))
    text = "flood " * 160  # about a thousand characters, as long as a note may be

    def op(kind: str, rid: str, rtype: str, fields: dict) -> dict:
        return make_op(kind, rid, rtype, format_stamp(now, next(stamp), planted), planted,
                       alex.me, fields)  # fmt: skip

    files = [[op("create", planted, m.DEVICE, {"partner": alex.me, "label": "phone",
                                                  "key": public})]]  # fmt: skip
    for f in range(6):
        files.append([
            op("create", owned_id(now + f * 1000 + i, alex.me), m.GRATITUDE,
               {"text": f"{text}{i}", "to": sam.me})
            for i in range(1000)
        ])  # fmt: skip
    journal, prev = sam.journal, ""
    folder = alex.journal.devices_dir / planted
    folder.mkdir()
    for seq, ops in enumerate(files, start=1):
        data = segments.encode(journal.key, journal.space_id, planted, seq, prev, ops, signer)
        prev = segments.digest(data)
        (folder / f"{seq:010d}.seg").write_bytes(data)
    sam.add_gratitude("for the tea")
    exchange(couple)
    held = trust.waiting(alex.replica).get(planted, [])
    assert 0 < len(held) <= caps.MAX_KEPT
    assert caps.size_of(held) <= caps.MAX_KEPT_BYTES + 16 * len(held)
    assert planted in overflowed(alex)
    assert "for the tea" in notes(alex)
    problem = next(p for p in alex.replica.meta("problems") if p["kind"] == OVERFLOW)
    assert "sync --rebuild" in problem["message"]
    # the next pass reads nothing new and keeps what it kept
    alex.sync()
    assert trust.waiting(alex.replica)[planted] == held


def small_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits a hundred times smaller, for the kinds of kept changes a test floods quickly."""
    monkeypatch.setattr(caps, "MAX_KEPT", 50)


def test_refused_changes_are_capped(couple: World, monkeypatch: pytest.MonkeyPatch) -> None:
    small_caps(monkeypatch)
    alex, sam = (d.session for d in couple.devices)
    note = alex.add_gratitude("for the walk")
    exchange(couple)
    now = sam.now()
    stamps = iter(range(1, 10**6))

    def stamp() -> str:
        return format_stamp(now, next(stamps), sam.device_id)

    invalid = [make_op("create", owned_id(now + i, sam.me), m.GRATITUDE, stamp(), sam.device_id,
                       sam.me, {"text": i, "to": alex.me}) for i in range(120)]  # fmt: skip
    rewrite = [make_op("set", note.id, m.GRATITUDE, stamp(), sam.device_id, sam.me,
                       {"text": f"rewritten {i}"}) for i in range(120)]  # fmt: skip
    orphans = [make_op("set", owned_id(now + 10_000 + i, sam.me), m.NEED, stamp(),
                       sam.device_id, sam.me, {"text": "a need never made"})
               for i in range(120)]  # fmt: skip
    far = [make_op("create", owned_id(now + 20_000 + i, sam.me), m.NEED,
                   format_stamp(now + 40 * DAY_MS, i, sam.device_id), sam.device_id, sam.me,
                   {"text": "from the future"}) for i in range(120)]  # fmt: skip
    for ops in (invalid, rewrite, orphans, far):
        write_as(sam, ops)
    sam.add_gratitude("for the soup")
    exchange(couple)
    for store in ("held", "not_allowed", "waiting_record"):
        assert 0 < len(alex.replica.meta(store, {}, partition=QUARANTINE)) <= 50, store
    assert 0 < sum(len(v) for v in horizon.held(alex.replica).values()) <= 50
    assert sam.device_id in overflowed(alex)
    assert alex.note(note.id).get("text") == "for the walk"
    assert "for the soup" in notes(alex)


def plant_flood(couple: World, owner: str, count: int) -> str:
    """A device planted in `owner`'s name, with `count` notes held until it is confirmed."""
    sam = couple.devices[1].session
    planted, signer = secrets.token_hex(8), Signer.generate()
    now, stamps = sam.now(), iter(range(1, 10**6))

    def op(kind: str, rid: str, rtype: str, fields: dict) -> dict:
        return make_op(kind, rid, rtype, format_stamp(now, next(stamps), planted), planted,
                       owner, fields)  # fmt: skip

    public = base64.b64encode(signer.public).decode()
    ops = [op("create", planted, m.DEVICE, {"partner": owner, "label": "phone", "key": public})]
    ops += [op("create", owned_id(now + i, owner), m.GRATITUDE, {"text": f"flood {i}",
                                                                   "to": sam.me})
            for i in range(count)]  # fmt: skip
    journal = sam.journal
    data = segments.encode(journal.key, journal.space_id, planted, 1, "", ops, signer)
    for device in couple.devices:
        folder = device.session.journal.devices_dir / planted
        folder.mkdir()
        (folder / f"{1:010d}.seg").write_bytes(data)
    return planted


def test_flooding_devices_cant_crowd_out_a_real_new_devices_held_changes(
    couple: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two devices planted in Alex's name fill what is kept aside for unconfirmed devices;
    Alex's real new laptop still has its own allowance (taken from the planted ones), so
    once Alex approves it, every note it wrote meanwhile arrives."""
    monkeypatch.setattr(caps, "MAX_KEPT", 50)
    monkeypatch.setattr(caps, "MAX_KEPT_ALL", 100)
    alex, sam = (d.session for d in couple.devices)
    first = plant_flood(couple, alex.me, 200)
    second = plant_flood(couple, alex.me, 200)
    exchange(couple)
    waiting = trust.waiting(alex.replica)
    assert len(waiting[first]) == len(waiting[second]) == 50  # each at its own allowance
    laptop = join_another(couple, "Alex")
    for i in range(5):
        laptop.add_gratitude(f"from the new laptop {i}")
    exchange(couple)
    waiting = trust.waiting(alex.replica)
    assert len(waiting[laptop.device_id]) >= 6  # its record and its notes, all kept
    assert sum(len(v) for v in waiting.values()) <= 100
    assert {first, second} <= overflowed(alex) and laptop.device_id not in overflowed(alex)
    alex.approve_device(laptop.my_code())
    exchange(couple)
    for session in (alex, sam):
        assert {f"from the new laptop {i}" for i in range(5)} <= notes(session)
        assert not any(n.startswith("flood") for n in notes(session))
