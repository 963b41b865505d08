"""Two ways a partner's modified app once wrote in the other partner's name, and a text that
once stopped the other's commands: each is refused (or shown inert) and reported."""

from __future__ import annotations

import base64
import secrets
import time

import pytest

from companion.domain import model as m
from companion.domain.hlc import format_stamp, parse_stamp
from companion.domain.ids import owned_id
from companion.domain.records import make_op
from companion.service import Session
from companion.service.devices import approval_id
from companion.store.signing import Signer, key_hash
from companion.sync import segments

FORGED = "FORGED-in-Alex's-name"


def _texts(partner, kind: str) -> list[str]:
    return [r.get("text", "") for r in partner.ok("list", kind, "--json").json()]


def test_a_segment_planted_in_alexs_own_directory_is_not_alexs(couple) -> None:
    """Sam's app writes into Alex's device directory, signed with Sam's key: Alex's own app
    must not take it for its own (its own files are signed with its own key)."""
    alex, sam = couple
    alex.ok("add", "need", "A quiet evening")  # Alex's directory has a signed file of its own
    sam.ok("sync")
    session = Session.unlock(sam.home, sam.passphrase)
    try:
        alex_device = next(d.id for d in session.core(m.DEVICE) if d.id != session.device_id)
        journal = session.journal
        last = journal.listing(alex_device).last_seq
        now = int(time.time() * 1000)
        stamp = format_stamp(now, 0, alex_device)
        ops = [
            make_op("create", owned_id(now, session.partner), m.NEED, stamp, alex_device,
                    session.partner, {"text": FORGED}),
        ]  # fmt: skip
        data = segments.encode(
            journal.key, journal.space_id, alex_device, last + 1,
            journal.digest_of(alex_device, last) or "", ops, journal.signer,
        )  # fmt: skip
        journal.segment_path(alex_device, last + 1).write_bytes(data)
    finally:
        session.close()
    alex.ok("sync")
    assert FORGED not in _texts(alex, "needs")
    problems = alex.ok("status", "--json").json()["problems"]
    assert any(p["kind"] == "signer" for p in problems), problems


def test_a_planted_device_approving_alexs_device_gains_no_trust(couple) -> None:
    """A new device directory, made by Sam's app in Alex's name, approves Alex's device: that
    must not make Alex's app trust it as Alex's."""
    alex, sam = couple
    alex.ok("add", "need", "A quiet evening")
    sam.ok("sync")
    session = Session.unlock(sam.home, sam.passphrase)
    try:
        alex_id = session.partner
        record = next(d for d in session.core(m.DEVICE) if d.get("partner") == alex_id)
        planted, signer = secrets.token_hex(8), Signer.generate()
        now, count = int(time.time() * 1000), iter(range(1, 10))

        def op(kind: str, rid: str, rtype: str, fields: dict) -> dict:
            return make_op(kind, rid, rtype, format_stamp(now, next(count), planted), planted,
                           alex_id, fields)  # fmt: skip

        public = base64.b64encode(signer.public).decode()
        alex_key = key_hash(base64.b64decode(record.get("key")))
        ops = [
            op("create", planted, m.DEVICE, {"partner": alex_id, "label": "phone", "key": public}),
            op("create", approval_id(planted, record.id), m.APPROVAL,
               {"device": record.id, "key": alex_key, "partner": alex_id}),
            op("create", owned_id(now, alex_id), m.NEED, {"text": FORGED}),
        ]  # fmt: skip
        data = segments.encode(session.journal.key, session.journal.space_id, planted, 1, "",
                               ops, signer)  # fmt: skip
        folder = session.journal.devices_dir / planted
        folder.mkdir()
        (folder / "0000000001.seg").write_bytes(data)
    finally:
        session.close()
    alex.ok("sync")
    assert FORGED not in _texts(alex, "needs")
    devices = alex.ok("devices", "--json").json()
    planted_row = [d for d in devices["devices"] if d["id"] == planted]
    assert planted_row and planted_row[0]["state"] != "trusted", planted_row


def test_a_lone_surrogate_from_the_partner_stops_no_command(couple) -> None:
    """JSON can carry a lone surrogate that no terminal or file can encode: refused by the
    schema, and any already merged is shown as a replacement, never a crash."""
    alex, sam = couple
    session = Session.unlock(sam.home, sam.passphrase)
    try:
        fields = {"text": "hi \ud800 there", "to": session.partner, "read": False,
                  "landed": False}  # fmt: skip
        op = session.op("create", owned_id(session.now(), session.me), m.GRATITUDE, fields)
        journal = session.journal
        last = journal.listing(session.device_id).last_seq
        journal.write(last + 1, journal.digest_of(session.device_id, last) or "", [op])
    finally:
        session.close()
    alex.ok("sync")
    for args in (("list", "gratitude"), ("list", "gratitude", "--json"), ("status",),
                 ("export", "--format", "markdown"), ("export", "--format", "csv"),
                 ("export", "--format", "json")):  # fmt: skip
        result = alex.ok(*args)
        assert "Traceback" not in result.err
    problems = alex.ok("status", "--json").json()["problems"]
    assert any(p["kind"] == "invalid" for p in problems), problems
    # the changes kept aside live in the local copy's own quarantine file: not a stranger's
    verified = alex.run("verify")
    assert "quarantine.db" not in verified.out, verified.out


def test_a_stamp_of_other_digits_is_no_stamp() -> None:
    """Fullwidth digits read as numbers by int() but sort above every ASCII stamp: a change
    stamped so could never be overtaken, so it is refused as malformed."""
    with pytest.raises(ValueError):
        parse_stamp("\uff10" * 15 + ".000000.abcdef0123456789")
    assert parse_stamp("001795981157176.000001.abcdef0123456789")[1] == 1
