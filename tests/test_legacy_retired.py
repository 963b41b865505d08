"""An agreement one partner retired alone in a version from before consent went both ways
(`status: retired`): every device, old or new, reads it alike, and it stays in force until
both partners retire it now, so the same change from a partner's app today retires nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from companion.domain import consent
from companion.domain import model as m
from companion.domain.records import Record, make_op, merge, record_from_state
from companion.service import Session, rebuild_replica

from .conftest import PASSPHRASE
from .test_schema import run_cli, space, write_as

__all__ = ["space"]

ALEX, SAM = "a1" * 8, "5a" * 8
AGREEMENT_ID = "0" * 26


def _record(*changes: tuple[str, dict[str, Any]]) -> Record:
    base = {"text": "We pause", "status": m.PROPOSED, "accepted_by": None}
    state = merge(None, make_op("create", AGREEMENT_ID, m.AGREEMENT, "1", "d" * 16, ALEX, base))
    for n, (author, fields) in enumerate(changes, start=2):
        op = make_op("set", AGREEMENT_ID, m.AGREEMENT, str(n), "e" * 16, author, fields)
        state = merge(state, op)
    found = record_from_state(state)
    assert found is not None
    return found


def _story(record: Record) -> str:
    return "; ".join(consent.story(record, ALEX, SAM, {ALEX: "Alex", SAM: "Sam"}.__getitem__))


ACCEPTED = (SAM, {"status": m.ACCEPTED, "accepted_by": SAM})
LEGACY = (SAM, {"status": m.RETIRED})


def test_a_retirement_by_an_older_version_retires_nothing_by_itself() -> None:
    record = _record(ACCEPTED, LEGACY)
    assert consent.state(record) == m.ACCEPTED
    assert consent.retired_by_older_version(record)
    assert "an older version let one of you retire it alone; now it takes you both" in _story(
        record
    )
    # a proposal withdrawn that way is still a proposal, for the other to answer
    proposal = _record(LEGACY)
    assert consent.state(proposal) == m.PROPOSED
    assert "withdraw it alone" in _story(proposal)


def test_both_retiring_it_now_retires_it_whatever_the_order() -> None:
    alex, sam = (ALEX, {consent.OWNER_RETIRES: True}), (SAM, {consent.OTHER_RETIRES: True})
    for changes in ((ACCEPTED, LEGACY, alex, sam), (ACCEPTED, sam, LEGACY, alex)):
        record = _record(*changes)
        assert consent.state(record) == m.RETIRED
        assert not consent.retired_by_older_version(record)
        assert _story(record) == "proposed by Alex, accepted by Sam; retired by Alex and Sam"
    assert consent.state(_record(ACCEPTED, LEGACY, alex)) == consent.RETIRING


def _seen(home: Path, agreement_id: str) -> tuple[str, bool, list[str]]:
    session = Session.unlock(home, PASSPHRASE)
    try:
        record = session.replica.get(agreement_id, m.AGREEMENT)
        assert record is not None
        refused = [p.message for p in session.problems() if p.kind == "not-allowed"]
        return consent.state(record), consent.retired_by_older_version(record), refused
    finally:
        session.close()


def test_every_device_reads_an_older_versions_retirement_alike(space: dict[str, Path]) -> None:
    sam = Session.unlock(space["sam"], PASSPHRASE)
    [agreement] = sam.core(m.AGREEMENT)  # Alex proposed it
    sam.accept_agreement(agreement.id)
    sam.close()
    run_cli(space["alex"], ["sync"])
    # Sam's device, still on a version from before consent, retires it alone
    write_as(space["sam"], [("set", m.AGREEMENT, agreement.id, {"status": m.RETIRED})])
    run_cli(space["alex"], ["sync"])
    run_cli(space["sam"], ["sync"])
    seen_by_alex = _seen(space["alex"], agreement.id)
    assert seen_by_alex == (m.ACCEPTED, True, [])
    assert _seen(space["sam"], agreement.id) == seen_by_alex
    # a device that comes later reads every file at once, as a rebuilt replica does
    alex = Session.unlock(space["alex"], PASSPHRASE)
    rebuild_replica(alex).close()
    assert _seen(space["alex"], agreement.id) == seen_by_alex
    listed = run_cli(space["alex"], ["list", "agreements"])
    assert "[accepted]" in listed and "now it takes you both" in listed
    # the couple retires it as it is done now: each gives their word once
    run_cli(space["alex"], ["retire", "agreement", agreement.id])
    run_cli(space["sam"], ["retire", "agreement", agreement.id])
    run_cli(space["alex"], ["sync"])
    assert _seen(space["alex"], agreement.id) == (m.RETIRED, False, [])
    assert _seen(space["sam"], agreement.id) == (m.RETIRED, False, [])


def test_its_arrival_is_told_truly() -> None:
    told = consent.arrival(_record(ACCEPTED, LEGACY), ALEX, SAM, "Sam")
    assert (
        told
        == "An older version of companion retired an agreement alone; it stays until you both do"
    )
    assert "accepted" not in (told or "")
