"""Consent both ways on the Agreements screen, driven through Textual's Pilot: one partner asks
to retire an agreement, the other says "let's talk first", then agrees; a proposal is answered
"let's talk first" as well as accepted."""

from __future__ import annotations

import pytest
from textual.worker import WorkerCancelled

from companion.domain import consent
from companion.domain import model as m
from companion.tui.screens.agreements import AgreementsScreen
from companion.tui.screens.dialogs import ConfirmDialog
from companion.tui.widgets.agreement_list import AgreementItem, AgreementList

from .test_tui import (
    SIZE,
    Couple,
    anyio_backend,
    light_kdf,
    opened,
    pinned_clock,
    space,
    text_of,
)
from .test_tui import settle as settle_once

__all__ = ["anyio_backend", "light_kdf", "pinned_clock", "space"]

pytestmark = pytest.mark.anyio

PAUSE = "We pause an argument when either of us says 'pause'"
SUNDAY = "Sunday mornings are quiet time for each of us"


async def settle(pilot) -> None:
    """Settle; a screen's load replaced by a newer one (the change's own reload, the watcher's
    after the write) is cancelled, which is how the app works: wait for the newer one."""
    for _ in range(20):
        try:
            await settle_once(pilot)
            return
        except WorkerCancelled:
            await pilot.pause(0.05)
    raise AssertionError("the screen kept reloading")


def _rows(app) -> dict[str, AgreementItem]:
    return {item.row.text: item for item in app.screen.query(AgreementItem)}


async def _agreements(pilot, app) -> AgreementList:
    await opened(pilot)
    app.sync_now()
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(app.screen, AgreementsScreen)
    return app.screen.query_one(AgreementList)


async def test_retiring_asks_the_partner_who_may_talk_first_then_agree(space: Couple) -> None:
    alex = space.session("alex")
    pause = alex.propose_agreement(PAUSE)
    alex.sync()
    sam = space.session("sam")
    sam.sync()
    sam.accept_agreement(pause.id)
    sam.propose_agreement(SUNDAY)
    sam.sync()
    sam.close()
    alex.sync()
    alex.close()

    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        listing = await _agreements(pilot, app)
        # Sam's proposal waits for Alex's answer, first; Alex says "let's talk first"
        first = listing.current
        assert isinstance(first, AgreementItem) and first.row.text == SUNDAY
        assert "Let's talk first" in text_of(first)
        assert listing.check_action("retire", ()) is False  # Sam's proposal, not Alex's
        await pilot.press("l")
        await settle(pilot)
        row = _rows(app)[SUNDAY].row
        assert row.status == m.PROPOSED and row.i_talk
        assert "you'd like to talk first" in text_of(_rows(app)[SUNDAY])
        # Alex asks to retire the agreed one: a question first, then it waits for Sam
        await pilot.press("down")
        assert listing.current is not None and listing.current.record_id == pause.id
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await settle(pilot)
        row = _rows(app)[PAUSE].row
        assert row.status == consent.RETIRING and row.i_retired
        assert "waiting for Sam to agree" in text_of(_rows(app)[PAUSE])
        assert listing.check_action("retire", ()) is False  # asked once is enough
    app.close_session()

    app = space.app("sam")
    async with app.run_test(size=SIZE) as pilot:
        listing = await _agreements(pilot, app)
        item = _rows(app)[PAUSE]
        shown = text_of(item)
        assert "Alex would like to retire this" in shown
        assert "Agree" in shown and "Let's talk first" in shown
        assert not shown.split("\n")[1].startswith("agreed")  # it waits for Sam's word
        mine = _rows(app)[SUNDAY]
        assert "Alex would like to talk first" in text_of(mine)
        listing.index = list(_rows(app)).index(PAUSE)
        await pilot.press("l")
        await settle(pilot)
        assert "you'd like to talk first" in text_of(_rows(app)[PAUSE])
        # talked it over: Sam agrees, and it is retired for both
        await pilot.press("y")
        await settle(pilot)
        row = _rows(app)[PAUSE].row
        assert row.status == m.RETIRED
        assert "retired by Alex and Sam" in text_of(_rows(app)[PAUSE])
        assert listing.check_action("accept", ()) is False
    app.close_session()
    alex = space.session("alex")
    alex.sync()
    record = alex.replica.get(pause.id, m.AGREEMENT)
    assert record is not None and consent.state(record) == m.RETIRED
    alex.close()
