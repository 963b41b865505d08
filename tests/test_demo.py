"""`companion demo` shows the evening's moments as a couple lives them: a pause a few evenings
ago that ended in a repair step, and the simulated partner asking for support tonight."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion import demo
from companion.service import Session
from companion.store import crypto


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> demo.DemoSpace:
    monkeypatch.setattr(crypto, "ARGON2_DEFAULTS", {"iterations": 1, "lanes": 1, "memory_cost": 8})
    return demo.build(tmp_path / "demo", weeks=1)


def test_the_history_holds_a_pause_that_ended_in_a_repair(built: demo.DemoSpace) -> None:
    alex = Session.unlock(built.alex_home, demo.PASSPHRASE)
    try:
        found = alex.moments()
        assert found.pause is None and found.repairs == []  # over, and Alex took the step
        [shared] = found.shared
        assert alex.name_of(shared.author) == "Sam" and shared.get("again")
        assert alex.pause_agreement() is not None  # the step links to how they pause
        pauses = alex.recent_pauses(demo.PAUSE_DAYS_AGO + 1)
        assert [p.mine for p in pauses] == [True] and pauses[0].over
        assert alex.private_repair(pauses[0].record.id)  # kept for Alex alone
    finally:
        alex.close()


def test_the_simulated_partner_asks_for_support_tonight(built: demo.DemoSpace) -> None:
    demo.simulate_partner(built.sam_home, delay=0)
    alex = Session.unlock(built.alex_home, demo.PASSPHRASE)
    try:
        alex.sync()
        request = alex.partner_request()
        assert request is not None and request.record.get("word") == demo.SUPPORT_WORD
        assert {n.get("text") for n in request.menu} == set(demo.SAM_NEEDS)
        answered = alex.answer_support("undivided")
        assert answered.get("answer") == demo.SAM_NEEDS[0]
        assert [n for n in alex.notes() if n.author != alex.me and n.get("to") == alex.me]
        assert not [p for p in alex.problems() if p.kind == "not-allowed"]
    finally:
        alex.close()
