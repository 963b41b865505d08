"""Approving a new device: only someone who read its code off its screen can (issue 12, the
approval race). The partner's modified app is modelled by planting device directories in the
shared folder, in the other partner's name, with authentic signed files."""

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
from companion.service.devices import approval_id
from companion.store import signing
from companion.store.signing import Signer, key_hash
from companion.sync import segments, trust

from .syncsim import World, partners
from .test_signing import exchange, join_another, notes

FORGED = "a note Alex never wrote"


@pytest.fixture
def couple(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return partners(tmp_path, monkeypatch)


def plant_approver(
    sam: service.Session, owner: str, new: service.Session, proof: str | None
) -> str:
    """Sam's app writes a device in `owner`'s name that approves `new` (with `proof`, if any)
    and sends a note as `owner`. Returns the planted device's id."""
    planted, signer = secrets.token_hex(8), Signer.generate()
    now, count = sam.now(), iter(range(1, 10))

    def op(kind: str, rid: str, rtype: str, fields: dict) -> dict:
        stamp = format_stamp(now, next(count), planted)
        return make_op(kind, rid, rtype, stamp, planted, owner, fields)

    approved = key_hash(new.journal.signer.public)
    fields = {"device": new.device_id, "key": approved, "partner": owner}
    if proof is not None:
        fields["proof"] = proof
    public = base64.b64encode(signer.public).decode()
    ops = [
        op("create", planted, m.DEVICE, {"partner": owner, "label": "phone", "key": public}),
        op("create", approval_id(planted, new.device_id), m.APPROVAL, fields),
        op("create", owned_id(now, owner), m.GRATITUDE, {"text": FORGED, "to": sam.me}),
    ]
    journal = sam.journal
    data = segments.encode(journal.key, journal.space_id, planted, 1, "", ops, signer)
    # the sync tool carries it to every copy of the folder
    for session in (sam, new):
        folder = session.journal.devices_dir / planted
        folder.mkdir()
        (folder / "0000000001.seg").write_bytes(data)
    return planted


def test_a_planted_device_cannot_approve_my_new_device_before_mine_does(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    alex.add_gratitude("from the first laptop")
    exchange(couple)
    second = join_another(couple, "Alex")
    exchange(couple)
    # Sam's app knows everything in the folder (so the code's public part), not the secret
    public = second.my_code()[:11]
    guessed = signing.approval_proof("12345678", "x", second.device_id, "y")
    planted = [
        plant_approver(sam, alex.me, second, None),
        plant_approver(sam, alex.me, second, guessed),
    ]
    exchange(couple)
    states = {d.id: d.state for d in second.devices()}
    assert all(states[p] == "waiting for confirmation" for p in planted), states
    assert FORGED not in notes(second) and not second.is_confirmed()
    assert not set(planted) & set(trust.state(second.replica)["pins"])
    # the real approval, typed from the new device's screen, still works afterwards
    assert second.my_code().startswith(public)
    alex.approve_device(second.my_code())
    exchange(couple)
    assert second.is_confirmed()
    pins = trust.state(second.replica)["pins"]
    assert pins[alex.device_id] == alex.me and not set(planted) & set(pins)
    assert "from the first laptop" in notes(second)
    for session in (alex, sam, second):
        assert FORGED not in notes(session)


def test_the_proof_is_what_lets_an_approver_in(couple: World) -> None:
    """Whoever knows the secret digits (read off the new device) can approve it: the proof,
    not who wrote the file, is what the new device checks."""
    alex, sam = (d.session for d in couple.devices)
    exchange(couple)
    second = join_another(couple, "Alex")
    exchange(couple)
    secret = second.journal.signer.approval_secret()
    assert second.my_code().replace("-", "").endswith(secret)
    # a proof made for another approving device doesn't carry over
    other = signing.approval_proof(
        secret, "0" * 16, second.device_id, key_hash(second.journal.signer.public)
    )
    wrong = plant_approver(sam, alex.me, second, other)
    exchange(couple)
    assert wrong not in trust.state(second.replica)["pins"]
    planted = secrets.token_hex(8)
    proof = signing.approval_proof(
        secret, planted, second.device_id, key_hash(second.journal.signer.public)
    )
    assert trust.proven(
        trust.Approval(planted, second.device_id, key_hash(second.journal.signer.public),
                       alex.me, proof),
        secret,
    )  # fmt: skip
    assert not trust.proven(
        trust.Approval(planted, second.device_id, "0" * 64, alex.me, proof), secret
    )


def test_an_approval_typed_on_my_device_carries_a_proof_that_holds(couple: World) -> None:
    alex, _sam = (d.session for d in couple.devices)
    exchange(couple)
    second = join_another(couple, "Alex")
    exchange(couple)
    alex.approve_device(second.my_code())
    record = alex.replica.get(approval_id(alex.device_id, second.device_id), m.APPROVAL)
    assert record is not None
    approval = trust.Approval(
        alex.device_id, second.device_id, record.get("key"), alex.me, record.get("proof")
    )
    assert trust.proven(approval, second.journal.signer.approval_secret())
    assert not trust.proven(approval, "00000000")


def test_after_losing_every_device_both_see_the_same_safety_code(couple: World) -> None:
    """Alex loses the only laptop; a new one joins as Alex, and Sam, having read its code off
    its screen in person, approves it: both apps then show one safety code, and the new
    laptop counts itself confirmed."""
    alex, sam = (d.session for d in couple.devices)
    alex.add_gratitude("from the lost laptop")
    exchange(couple)
    before = sam.safety_code()
    assert before == alex.safety_code() is not None
    new = join_another(couple, "Alex")
    lost = couple.devices.pop(0)  # the old laptop is gone, with everything on it
    lost.session.close()
    exchange(couple)
    assert not new.is_confirmed()
    sam.approve_device(new.my_code())
    exchange(couple)
    assert new.is_confirmed()
    assert sam.safety_code() == new.safety_code() is not None
    assert sam.safety_code() != before  # Alex's key changed: compare again
    new.add_gratitude("from the new laptop")
    exchange(couple)
    assert "from the new laptop" in notes(sam)


def test_a_partners_approval_without_the_code_confirms_nothing(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    exchange(couple)
    new = join_another(couple, "Alex")
    exchange(couple)
    fields = {"device": new.device_id, "key": key_hash(new.journal.signer.public),
              "partner": alex.me, "proof": "0" * 64}  # fmt: skip
    sam.commit([sam.op("create", approval_id(sam.device_id, new.device_id), m.APPROVAL, fields)])
    exchange(couple)
    assert not new.is_confirmed()
