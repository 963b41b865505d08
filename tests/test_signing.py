"""Authorship that can't be forged: device keys, signed files, device trust (issue 12 item 1).

A hostile partner's modified app is modelled by writing authentic files (the data key is
theirs too) with chosen contents into their own device directory, or into a new one.
"""

from __future__ import annotations

import base64
import json
import shutil
import zlib
from pathlib import Path

import pytest

from companion import service
from companion.domain import model as m
from companion.domain.ids import make_id
from companion.errors import UsageError
from companion.store import crypto, signing
from companion.store.signing import Signer
from companion.sync import segments, trust
from companion.sync.problems import DAMAGED, FORGED, SIGNER, UNCONFIRMED

from .syncsim import PASS, Device, World, fast_kdf, partners


def exchange(world: World) -> None:
    for _ in range(2):
        world.deliver_all()
        for device in world.devices:
            device.session.sync()


def notes(session: service.Session) -> set[str]:
    return {r.get("text") for r in session.notes()}


def kinds(session: service.Session, device: str) -> set[str]:
    return {p["kind"] for p in session.replica.meta("problems", []) if p["device"] == device}


def write_raw(session: service.Session, data_for: object) -> int:
    """Put the next segment of `session`'s own journal, built by `data_for(seq, prev)`."""
    journal, device = session.journal, session.device_id
    last = journal.listing(device).last_seq
    prev = journal.digest_of(device, last) or ""
    path = journal.segment_path(device, last + 1)
    path.write_bytes(data_for(last + 1, prev))  # type: ignore[operator]
    return last + 1


@pytest.fixture
def couple(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return partners(tmp_path, monkeypatch)


def test_every_file_is_signed_and_every_device_record_carries_its_key(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    alex.add_gratitude("thank you")
    exchange(couple)
    for session in (alex, sam):
        for path in session.journal.own_dir.glob("*.seg"):
            assert path.read_bytes()[4] == segments.VERSION == 2
        assert (session.home / signing.KEY_FILE).stat().st_mode & 0o777 == 0o600
    record = sam.replica.get(alex.device_id, m.DEVICE)
    assert record is not None
    assert record.get("key") == crypto.b64e(alex.journal.signer.public)
    states = {d.id: d.state for d in sam.devices()}
    assert states == {sam.device_id: "this device", alex.device_id: "trusted"}
    assert alex.safety_code() == sam.safety_code() is not None
    assert len(alex.safety_code().split()) == 12


def test_a_forged_author_in_ones_own_directory_is_refused_and_reported(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    forged = sam.op("create", make_id(sam.now()), m.GRATITUDE, {"text": "from Alex?"})
    forged["author"] = alex.me
    forged["fields"]["to"] = sam.me
    honest = sam.op("create", make_id(sam.now()), m.GRATITUDE, {"text": "from Sam"})
    honest["fields"]["to"] = alex.me
    journal = sam.journal
    last = journal.listing(sam.device_id).last_seq
    journal.write(last + 1, journal.digest_of(sam.device_id, last) or "", [forged, honest])
    exchange(couple)
    assert "from Alex?" not in notes(alex)
    assert "from Sam" in notes(alex)
    assert FORGED in kinds(alex, sam.device_id)
    problem = next(p for p in alex.replica.meta("problems") if p["kind"] == FORGED)
    assert "safety code" in problem["message"]
    assert "from Alex?" not in notes(sam)  # Sam's own app refuses it too


def test_a_device_record_written_for_another_device_is_refused(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    grab = sam.op("set", alex.device_id, m.DEVICE, {"label": "stolen"})
    journal = sam.journal
    last = journal.listing(sam.device_id).last_seq
    journal.write(last + 1, journal.digest_of(sam.device_id, last) or "", [grab])
    exchange(couple)
    assert alex.replica.get(alex.device_id, m.DEVICE).get("label") != "stolen"
    assert FORGED in kinds(alex, sam.device_id)


def test_a_signature_that_does_not_verify_is_damage_and_the_rest_merges(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    note = sam.op("create", make_id(sam.now()), m.GRATITUDE, {"text": "tampered"})
    note["fields"]["to"] = alex.me
    journal, signer = sam.journal, sam.journal.signer

    def bad(seq: int, prev: str) -> bytes:
        plain = zlib.compress(json.dumps({"seq": seq, "prev": prev, "ops": [note]}).encode())
        associated = segments.aad(journal.space_id, sam.device_id, seq)
        signature = bytearray(signer.sign(associated + signer.public + plain))
        signature[0] ^= 1
        body = crypto.seal(journal.key, bytes(signature) + signer.public + plain, associated)
        return segments._HEADER.pack(segments.MAGIC, segments.VERSION, len(body)) + body

    seq = write_raw(sam, bad)
    sam.add_gratitude("after it")
    exchange(couple)
    assert "tampered" not in notes(alex)
    assert "after it" in notes(alex)
    damaged = [p for p in alex.replica.meta("problems") if p["kind"] == DAMAGED]
    assert [(p["device"], p["seq"]) for p in damaged] == [(sam.device_id, seq)]
    assert "signature" in damaged[0]["message"]


def test_a_device_that_changes_its_key_is_refused(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    other = Signer.generate()
    key = base64.b64encode(other.public).decode()
    ops = [sam.op("set", sam.device_id, m.DEVICE, {"key": key})]
    journal = sam.journal
    last = journal.listing(sam.device_id).last_seq
    data = segments.encode(
        journal.key, journal.space_id, sam.device_id, last + 1,
        journal.digest_of(sam.device_id, last) or "", ops, other,
    )  # fmt: skip
    journal.segment_path(sam.device_id, last + 1).write_bytes(data)
    exchange(couple)
    record = alex.replica.get(sam.device_id, m.DEVICE)
    assert record.get("key") == crypto.b64e(sam.journal.signer.public)
    problem = next(p for p in alex.replica.meta("problems") if p["kind"] == SIGNER)
    assert "another key" in problem["message"]
    assert {d.id: d.state for d in alex.devices()}[sam.device_id] == "refused"
    # a record naming a key its files aren't signed with is refused as well
    alex.add_gratitude("still fine")
    liar = sam.op("set", sam.device_id, m.DEVICE, {"key": key})
    last = journal.listing(sam.device_id).last_seq
    journal.write(last + 1, journal.digest_of(sam.device_id, last) or "", [liar])
    exchange(couple)
    assert FORGED in kinds(alex, sam.device_id)
    assert "still fine" in notes(sam)


def join_another(world: World, name: str) -> service.Session:
    """A further device joins as `name`, and is not confirmed by anyone yet."""
    index = len(world.devices)
    folder = world.root / f"folder{index}"
    folder.mkdir()
    shutil.copytree(world.space(world.devices[0]), folder / "companion")
    device = Device(name, folder, world.root / f"home{index}")
    device.session = service.join_space(device.home, folder, name, PASS, world.clock)
    world.devices.append(device)
    return device.session


def test_a_second_device_waits_until_approved_then_its_changes_arrive(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    alex.add_gratitude("from the first laptop")
    exchange(couple)
    second = join_another(couple, "Alex")
    assert not second.is_confirmed()
    assert second.safety_code() is None  # never a code with its own, unvouched key in
    second.add_gratitude("from the second laptop")
    exchange(couple)
    for session in (alex, sam):
        assert "from the second laptop" not in notes(session)
        states = {d.id: d.state for d in session.devices()}
        assert states[second.device_id] == "waiting for confirmation"
        assert UNCONFIRMED in kinds(session, second.device_id)
    # on the new device, Alex's first laptop is waiting too, Sam's is trusted on first sight
    states = {d.id: d.state for d in second.devices()}
    assert states == {
        second.device_id: "this device",
        alex.device_id: "waiting for confirmation",
        sam.device_id: "trusted",
    }
    # the new device says what to do, where: approve it on the first laptop, with its code
    waits = [p for p in second.replica.meta("problems") if p["kind"] == UNCONFIRMED]
    assert [p["device"] for p in waits] == [alex.device_id]
    # its code's secret part is shown on asking, never kept in a message
    assert "companion devices approve CODE" in waits[0]["message"]
    assert second.my_code()[12:] not in waits[0]["message"]
    with pytest.raises(UsageError, match="No device waiting"):
        alex.approve_device("00000-00000-0000-0000")
    with pytest.raises(UsageError, match="isn't a whole device code"):
        alex.approve_device(second.my_code()[:11])
    approved = alex.approve_device(second.my_code())
    assert approved.id == second.device_id
    exchange(couple)
    for session in (alex, sam, second):
        assert {"from the first laptop", "from the second laptop"} <= notes(session)
        assert {d.state for d in session.devices()} <= {"this device", "trusted"}
        assert not kinds(session, second.device_id) & {UNCONFIRMED, FORGED}
    assert second.is_confirmed()
    assert alex.safety_code() == sam.safety_code() == second.safety_code()


def test_a_planted_device_claiming_a_partner_is_held_and_never_shown(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    planted = join_another(couple, "Alex")  # Sam's app could write this directory as well
    planted.add_gratitude("I never wrote this")
    exchange(couple)
    assert "I never wrote this" not in notes(alex) | notes(sam)
    held = trust.waiting(sam.replica)[planted.device_id]
    assert any(op["fields"].get("text") == "I never wrote this" for _, op in held)


def test_an_unsigned_file_after_a_signed_one_is_damage(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    note = sam.op("create", make_id(sam.now()), m.GRATITUDE, {"text": "unsigned"})
    note["fields"]["to"] = alex.me
    journal = sam.journal
    seq = write_raw(
        sam,
        lambda seq, prev: segments.encode(
            journal.key, journal.space_id, sam.device_id, seq, prev, [note]
        ),
    )
    exchange(couple)
    assert "unsigned" not in notes(alex)
    problem = next(p for p in alex.replica.meta("problems") if p["kind"] == SIGNER)
    assert problem["seq"] == seq and "isn't signed" in problem["message"]


def as_an_old_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app before signing: no keys, unsigned files, every change merged as it came."""
    monkeypatch.setattr(signing, "load_or_create", lambda *a: None)
    monkeypatch.setattr(trust, "state", lambda replica: {"me": "", "pins": {}})

    def everything(replica, own_device, fresh, problems, secret=""):  # type: ignore[no-untyped-def]
        return [(device, seq, op) for device, taken in fresh.items() for seq, op in taken]

    monkeypatch.setattr(trust, "settle", everything)


def test_an_old_space_is_upgraded_its_devices_pinned_then_signed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_kdf(monkeypatch)
    as_an_old_app(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    alex.add_gratitude("from before")
    exchange(world)
    for device in world.devices:
        device.session.replica.set_meta(trust=None)
        assert all(p.read_bytes()[4] == 1 for p in device.session.journal.own_dir.glob("*.seg"))
        assert device.session.replica.get(device.session.device_id, m.DEVICE).get("key") is None
        device.session.close()
    monkeypatch.undo()
    fast_kdf(monkeypatch)
    for device in world.devices:
        device.session = service.Session.unlock(device.home, PASS, world.clock)
    alex, sam = (d.session for d in world.devices)
    for session in (alex, sam):
        pins = trust.state(session.replica)["pins"]
        assert pins == {alex.device_id: alex.me, sam.device_id: sam.me}
    sam.add_gratitude("from after")
    exchange(world)
    assert {"from before", "from after"} <= notes(alex)
    newest = max(sam.journal.own_dir.glob("*.seg"))
    assert newest.read_bytes()[4] == 2
    record = alex.replica.get(sam.device_id, m.DEVICE)
    assert record.get("key") == crypto.b64e(sam.journal.signer.public)
    assert alex.safety_code() == sam.safety_code() is not None
    assert not [p for p in alex.replica.meta("problems", []) if p["kind"] != UNCONFIRMED]


def test_devices_command_lists_and_approves_by_code(make_partner, shared: Path) -> None:
    alex, sam, second = make_partner("alex"), make_partner("sam"), make_partner("alex2")
    alex.ok("init", str(shared), "--name", "Alex")
    sam.ok("join", str(shared), "--name", "Sam")
    joined = second.ok("join", str(shared), "--name", "Alex")
    assert "companion devices approve" in joined.out
    code = joined.out.rsplit("companion devices approve ", 1)[1].split()[0]
    # the waiting device shows no safety code: one with its own key in would match nobody's
    waiting = second.ok("devices")
    assert "Safety code" not in waiting.out and "once this device is confirmed" in waiting.out
    assert second.ok("devices", "--json").json()["safety_code"] is None
    listed = alex.ok("devices", "--json").json()
    states = {d["state"] for d in listed["devices"]}
    assert "waiting for confirmation" in states
    assert listed["safety_code"] and len(listed["safety_code"].split()) == 12
    shown = alex.ok("devices")
    assert "waiting for confirmation" in shown.out and "Safety code" in shown.out
    wrong = alex.run("devices", "approve", "12345-67890-1234-5678")
    assert wrong.code != 0 and "No device waiting" in wrong.err
    alex.ok("devices", "approve", code)
    after = alex.ok("devices", "--json").json()
    assert {d["state"] for d in after["devices"]} == {"this device", "trusted"}
    # a device added changes the safety code (it comes from each partner's newest device),
    # the same on both sides once they have synced
    sam.ok("sync")
    alex.ok("sync")
    after_code = alex.ok("devices", "--json").json()["safety_code"]
    assert after_code and after_code != listed["safety_code"]
    assert sam.ok("devices", "--json").json()["safety_code"] == after_code


def test_devices_pinned_on_upgrade_stay_trusted_across_a_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_kdf(monkeypatch)
    as_an_old_app(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam", "Alex"])  # before signing, a second device needed no approval
    for device in world.devices:
        device.session.replica.set_meta(trust=None)
        device.session.close()
    monkeypatch.undo()
    fast_kdf(monkeypatch)
    for device in world.devices:
        device.session = service.Session.unlock(device.home, PASS, world.clock)
    alex, sam, laptop = (d.session for d in world.devices)
    exchange(world)
    assert set(trust.state(sam.replica)["pins"]) == {
        alex.device_id,
        sam.device_id,
        laptop.device_id,
    }
    world.devices[1].session = sam = service.rebuild_replica(sam)
    assert set(trust.state(sam.replica)["pins"]) == {
        alex.device_id,
        sam.device_id,
        laptop.device_id,
    }
    laptop.add_gratitude("from the laptop, after the upgrade")
    exchange(world)
    assert "from the laptop, after the upgrade" in notes(sam)
    assert {d.state for d in sam.devices()} == {"this device", "trusted"}
