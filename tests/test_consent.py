"""Consent both ways: an agreement is retired only once both partners ask to, a proposal may be
answered "let's talk first", and nobody's change moves an agreement back or speaks for the other.

The state is read from each partner's own fields (companion/domain/consent.py); the rights
table (companion/domain/rights.py) keeps each partner to their own.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from companion.domain import consent, rights
from companion.domain import model as m
from companion.domain.records import Record, make_op, merge, record_from_state
from companion.service import Session

from .conftest import PASSPHRASE
from .test_cli import fails, listed, ok
from .test_schema import run_cli, space, write_as

__all__ = ["space"]

ALEX, SAM = "a1" * 8, "5a" * 8
AGREEMENT_ID = "0" * 26


def _record(fields: dict[str, Any], author: str = ALEX) -> Record:
    base = {"text": "We pause", "status": m.PROPOSED, "accepted_by": None}
    op = make_op("create", AGREEMENT_ID, m.AGREEMENT, "1", "d" * 16, author, base)
    state = merge(None, op)
    state = merge(state, make_op("set", AGREEMENT_ID, m.AGREEMENT, "2", "e" * 16, SAM, fields))
    found = record_from_state(state)
    assert found is not None
    return found


# -- the state, read from both partners' words ------------------------------------------------


def test_an_agreement_is_retired_only_when_both_have_asked() -> None:
    accepted = {"status": m.ACCEPTED, "accepted_by": SAM}
    assert consent.state(_record(accepted)) == m.ACCEPTED
    alex_asks = {**accepted, consent.OWNER_RETIRES: True}
    assert consent.state(_record(alex_asks)) == consent.RETIRING
    sam_asks = {**accepted, consent.OTHER_RETIRES: True}
    assert consent.state(_record(sam_asks)) == consent.RETIRING
    both = {**alex_asks, consent.OTHER_RETIRES: True}
    assert consent.state(_record(both)) == m.RETIRED
    # a proposal its proposer would withdraw waits too (the other may have accepted it)
    assert consent.state(_record({consent.OWNER_RETIRES: True})) == consent.RETIRING
    withdrawn = {consent.OWNER_RETIRES: True, consent.OTHER_RETIRES: True}
    assert consent.state(_record(withdrawn)) == m.RETIRED


def test_talk_first_is_about_what_is_asked_now() -> None:
    talk = _record({consent.OTHER_TALK: m.PROPOSED})
    assert consent.wants_to_talk(talk, SAM) and not consent.wants_to_talk(talk, ALEX)
    # once Sam has accepted, the talk about the proposal is over
    over = _record({"status": m.ACCEPTED, "accepted_by": SAM, consent.OTHER_TALK: m.PROPOSED})
    assert not consent.wants_to_talk(over, SAM)
    asked = {"status": m.ACCEPTED, "accepted_by": SAM, consent.OWNER_RETIRES: True}
    about_retiring = _record({**asked, consent.OTHER_TALK: m.RETIRED})
    assert consent.wants_to_talk(about_retiring, SAM)
    story = consent.story(about_retiring, SAM, ALEX, {ALEX: "Alex", SAM: "Sam"}.__getitem__)
    assert story == [
        "proposed by Alex, accepted by Sam",
        "Alex asked to retire it",
        "Sam would like to talk first",
    ]


def test_arrival_texts_never_call_a_retired_agreement_accepted() -> None:
    names = {ALEX: "Alex", SAM: "Sam"}
    accepted = {"status": m.ACCEPTED, "accepted_by": SAM}
    retired = _record({**accepted, consent.OWNER_RETIRES: True, consent.OTHER_RETIRES: True})
    told = consent.arrival(retired, ALEX, SAM, names[SAM])
    assert told == "Sam and you have retired an agreement"
    asked = _record({**accepted, consent.OTHER_RETIRES: True})
    assert consent.arrival(asked, ALEX, SAM, "Sam") == "Sam would like to retire an agreement"
    assert consent.arrival(_record(accepted), ALEX, SAM, "Sam") == "Sam accepted an agreement"
    talk = _record({consent.OTHER_TALK: m.PROPOSED})
    assert consent.arrival(talk, ALEX, SAM, "Sam") == (
        "Sam would like to talk first about your proposal"
    )


# -- the rights: each partner's word is their own, and given once -------------------------------


def _judge(author: str, fields: dict[str, Any]) -> rights.Verdict:
    op = make_op("set", AGREEMENT_ID, m.AGREEMENT, "3", "e" * 16, author, fields)
    return rights.judge(op, rights.Owned(m.AGREEMENT, ALEX), None, [ALEX, SAM])


def test_each_partner_gives_only_their_own_consent() -> None:
    # Alex proposed it: Alex's consent is owner_retires, Sam's other_retires
    assert _judge(ALEX, {consent.OWNER_RETIRES: True}) is None
    assert _judge(SAM, {consent.OTHER_RETIRES: True}) is None
    assert isinstance(_judge(SAM, {consent.OWNER_RETIRES: True}), rights.NotAllowed)
    assert isinstance(_judge(ALEX, {consent.OTHER_RETIRES: True}), rights.NotAllowed)
    assert _judge(SAM, {consent.OTHER_TALK: m.RETIRED}) is None
    assert isinstance(_judge(SAM, {consent.OWNER_TALK: m.RETIRED}), rights.NotAllowed)


def test_nobody_retires_alone_or_takes_a_consent_back() -> None:
    for author in (ALEX, SAM):
        # `status: retired`, as versions before consent wrote it, merges (so every device
        # reads it alike) and retires nothing: tests/test_legacy_retired.py
        assert _judge(author, {"status": m.RETIRED}) is None
        assert isinstance(_judge(author, {"status": m.PROPOSED}), rights.NotAllowed)
    assert isinstance(_judge(ALEX, {consent.OWNER_RETIRES: False}), rights.NotAllowed)
    assert isinstance(_judge(SAM, {consent.OTHER_RETIRES: None}), rights.NotAllowed)


def test_what_both_agreed_to_isnt_rewritten_or_deleted_by_one() -> None:
    assert isinstance(_judge(ALEX, {"text": "We never pause"}), rights.NotAllowed)
    delete = make_op("delete", AGREEMENT_ID, m.AGREEMENT, "3", "d" * 16, ALEX, {})
    verdict = rights.judge(delete, rights.Owned(m.AGREEMENT, ALEX), None, [ALEX, SAM])
    assert isinstance(verdict, rights.NotAllowed) and verdict.tried == "delete"


CHANGES = [
    (SAM, {"status": m.ACCEPTED, "accepted_by": SAM}),
    (ALEX, {consent.OWNER_RETIRES: True}),
    (SAM, {consent.OTHER_RETIRES: True}),
    (SAM, {consent.OTHER_TALK: m.RETIRED}),
    (SAM, {consent.OTHER_TALK: None}),
    (ALEX, {consent.OWNER_TALK: m.RETIRED}),
    # what versions before consent wrote: merged, and it retires nothing
    (SAM, {"status": m.RETIRED}),
    # what a partner's device might try: refused, so never merged
    (ALEX, {consent.OWNER_RETIRES: False}),
    (SAM, {consent.OTHER_RETIRES: False}),
    (SAM, {consent.OWNER_RETIRES: True}),
    (ALEX, {"status": m.PROPOSED}),
]


@given(st.lists(st.sampled_from(range(len(CHANGES))), max_size=12), st.randoms())
def test_the_state_only_moves_forward_and_agrees_in_any_order(picked, rnd) -> None:
    create = make_op(
        "create",
        AGREEMENT_ID,
        m.AGREEMENT,
        "0000",
        "d" * 16,
        ALEX,
        {"text": "We pause", "status": m.PROPOSED, "accepted_by": None},
    )
    ops = []
    for n, index in enumerate(picked):
        author, fields = CHANGES[index]
        op = make_op("set", AGREEMENT_ID, m.AGREEMENT, f"{n + 1:04d}", "e" * 16, author, fields)
        if rights.judge(op, rights.Owned(m.AGREEMENT, ALEX), None, [ALEX, SAM]) is None:
            ops.append(op)
    rank = {m.PROPOSED: 0, m.ACCEPTED: 1, consent.RETIRING: 2, m.RETIRED: 3}

    def states(order: list[dict[str, Any]]) -> list[str]:
        state = merge(None, create)
        seen = []
        for op in sorted(order, key=lambda o: o["hlc"]):
            state = merge(state, op)
            record = record_from_state(state)
            assert record is not None
            seen.append(consent.state(record))
        return seen

    in_time = states(ops)
    # proposed, accepted, being retired, retired: never back, so never un-retired
    for before, after in itertools.pairwise(in_time):
        assert rank[after] >= rank[before], in_time
    shuffled = list(ops)
    rnd.shuffle(shuffled)
    state = merge(None, create)
    for op in shuffled:
        state = merge(state, op)
    final = record_from_state(state)
    assert final is not None
    assert consent.state(final) == (in_time[-1] if in_time else m.PROPOSED)


# -- end to end: a partner's device that tries anyway --------------------------------------------


def _open(home: Path) -> Session:
    return Session.unlock(home, PASSPHRASE)


def test_one_partner_cant_retire_alone_or_unretire(space: dict[str, Path]) -> None:
    sam = _open(space["sam"])
    [agreement] = sam.core(m.AGREEMENT)  # Alex proposed it
    sam.accept_agreement(agreement.id)
    sam.close()
    run_cli(space["alex"], ["sync"])
    # Sam's device writes `retired` straight into the status, and Alex's consent for Alex
    write_as(space["sam"], [("set", m.AGREEMENT, agreement.id, {"status": m.RETIRED})])
    write_as(space["sam"], [("set", m.AGREEMENT, agreement.id, {consent.OWNER_RETIRES: True})])
    run_cli(space["alex"], ["sync"])
    alex = _open(space["alex"])
    kept = alex.replica.get(agreement.id, m.AGREEMENT)
    assert kept is not None and consent.state(kept) == m.ACCEPTED
    refused = [p for p in alex.problems() if p.kind in ("not-allowed", "forged")]
    assert len(refused) >= 1
    # both ask: retired; then Alex's own device tries to take Alex's consent back
    alex.retire("agreement", agreement.id)
    alex.sync()
    alex.close()
    sam = _open(space["sam"])
    sam.sync()
    sam.retire("agreement", agreement.id)
    sam.sync()
    sam.close()
    write_as(space["alex"], [("set", m.AGREEMENT, agreement.id, {consent.OWNER_RETIRES: False})])
    write_as(space["sam"], [("set", m.AGREEMENT, agreement.id, {"status": m.ACCEPTED})])
    run_cli(space["alex"], ["sync"])
    alex = _open(space["alex"])
    try:
        final = alex.replica.get(agreement.id, m.AGREEMENT)
        assert final is not None and consent.state(final) == m.RETIRED
    finally:
        alex.close()


# -- the command line, two profiles ------------------------------------------------------------


def test_retiring_takes_both_and_a_proposal_may_wait_for_a_talk(couple) -> None:
    alex, sam = couple
    text = "No advice unless asked first"
    ok(alex, "add", "agreement", text)
    ok(sam, "sync")
    said = ok(sam, "talk-first", "advice").out
    assert "Alex will see that you'd like to talk first about: " + text in said
    ok(alex, "sync")
    lines = ok(alex, "list", "agreements").out
    assert "[proposed]" in lines and "Sam would like to talk first" in lines
    # Sam can't retire Alex's proposal alone; Sam answers it
    fails(sam.run("retire", "agreement", "advice"), 1, "your partner's proposal")
    ok(sam, "accept", "advice")
    ok(alex, "sync")
    asked = ok(alex, "retire", "agreement", "advice").out
    assert f"Asked to retire: {text}" in asked and "until Sam agrees" in asked
    fails(alex.run("retire", "agreement", "advice"), 1, "already", "waits for your partner")
    [record] = listed(alex, "agreements")
    assert (record["status"], record["retire_asked_by"]) == ("retiring", ["Alex"])
    synced = ok(sam, "watch", "--once").out  # a headless sync that tells what arrived
    assert "Alex would like to retire an agreement" in synced
    assert "accepted" not in synced
    assert f"Retired: {text}" in ok(sam, "retire", "agreement", "advice").out
    synced = ok(alex, "watch", "--once").out
    assert "Sam and you have retired an agreement" in synced
    lines = ok(alex, "list", "agreements").out
    assert "[retired]" in lines
    assert "proposed by Alex, accepted by Sam; retired by Alex and Sam" in lines
    fails(alex.run("retire", "agreement", "advice"), 1, "No agreement matches")
    # withdrawing a proposal of one's own asks too: Sam may have accepted it meanwhile
    ok(alex, "add", "agreement", "Sunday mornings are quiet")
    asked = ok(alex, "retire", "agreement", "sunday").out
    assert "Asked to withdraw: Sunday mornings are quiet" in asked
    assert "Alex would like to withdraw a proposal" in ok(sam, "watch", "--once").out
    assert "Retired: Sunday mornings are quiet" in ok(sam, "retire", "agreement", "sunday").out
    withdrawn = [r for r in listed(sam, "agreements") if r["text"].startswith("Sunday")]
    assert (withdrawn[0]["status"], withdrawn[0]["retire_asked_by"]) == ("retired", ["Alex", "Sam"])
