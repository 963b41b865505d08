"""An honest reveal: a check-in edited after both have shared shows as edited, with what the
partner first read still there; every sealed or revealed text is true for whoever reads it."""

from __future__ import annotations

import pytest

from companion.domain import model as m
from companion.domain import schema
from companion.tui.screens.checkin import CheckinScreen
from companion.tui.widgets.checkin_card import CheckinCard
from tests import test_tui as tui
from tests.test_tui import SIZE, Couple, opened, settle, text_of

anyio_backend, light_kdf, pinned_clock = tui.anyio_backend, tui.light_kdf, tui.pinned_clock
space = tui.space

FIRST = {"supported": "The walk", "attention": "When …, I felt …; what would help is …"}
EDITED = {"supported": "The walk, and the soup after", "attention": FIRST["attention"]}


def sync(couple: Couple, *who: str) -> None:
    for name in who:
        session = couple.session(name)
        session.sync()
        session.close()


def check_in(couple: Couple, who: str, **answers: str) -> None:
    session = couple.session(who)
    session.checkin(None, **answers)
    session.sync()
    session.close()


def test_an_edit_before_the_reveal_keeps_no_first_version(space: Couple) -> None:
    check_in(space, "alex", **FIRST)
    check_in(space, "alex", **EDITED)
    alex = space.session("alex")
    mine = alex.checkin_state().mine
    assert mine is not None and not mine.get("edited") and "first" not in mine.fields
    assert mine.get("revealed") is False
    alex.close()


def test_an_edit_after_the_reveal_keeps_what_was_first_read(space: Couple) -> None:
    check_in(space, "alex", **FIRST)
    check_in(space, "sam", supported="The tea", attention=FIRST["attention"])
    sync(space, "alex", "sam", "alex")
    sam = space.session("sam")
    assert sam.checkin_state().theirs.get("supported") == "The walk"
    sam.close()
    check_in(space, "alex", **EDITED)
    check_in(space, "alex", supported="A third go", attention=FIRST["attention"])
    sync(space, "sam")
    sam = space.session("sam")
    theirs = sam.checkin_state().theirs
    assert theirs.get("supported") == "A third go"
    assert theirs.get("edited") is True
    assert theirs.get("first")["supported"] == "The walk", "the first read, not the second edit"
    raw = sam.replica.get(theirs.id, m.CHECKIN)
    assert schema.check_op(
        {"op": "set", "type": m.CHECKIN, "id": raw.id, "author": raw.author,
         "device": raw.device, "fields": {"first": raw.get("first")}}
    ) is None  # fmt: skip
    sam.close()


def test_the_cli_says_an_edit_arrived_and_lists_it_as_edited(couple) -> None:
    alex, sam = couple
    alex.ok("checkin", "--supported", "The walk", "--attention", "More quiet evenings")
    sam.ok("checkin", "--supported", "The tea", "--attention", "Less rushing")
    alex.ok("sync")
    sam.ok("sync")
    alex.ok("checkin", "--supported", "The walk and the soup", "--attention", "More quiet")
    watched = sam.ok("watch", "--once")
    said = watched.out + watched.err
    assert "Alex edited their check-in; what you first read is still there" in said, said
    listed = sam.ok("list", "checkins").out
    assert "edited since it was shared (the first version is kept)" in listed
    [alexs] = [c for c in sam.ok("list", "checkins", "--json").json() if c["author"] == "Alex"]
    assert alexs["first"]["supported"] == "The walk"


@pytest.mark.anyio
async def test_the_partner_sees_the_edit_and_what_they_first_read(space: Couple) -> None:
    check_in(space, "alex", **FIRST)
    sync(space, "sam")
    app = space.app("sam")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CheckinScreen)
        # Sam shares second: Alex has shared, so nothing says "until Alex shares theirs".
        lead = text_of(screen.query_one("#form-lead"))
        assert "Alex has shared theirs" in lead and "until Alex shares" not in lead, lead
        assert "sealed" not in screen.sub_title and "Alex has shared" in screen.sub_title
    check_in(space, "sam", supported="The tea", attention=FIRST["attention"])
    sync(space, "alex", "sam")
    check_in(space, "alex", **EDITED)
    sync(space, "sam")
    app = space.app("sam")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = app.screen
        assert screen.sub_title == "shared side by side"
        cards = {card.border_title: card for card in screen.query(CheckinCard)}
        assert set(cards) == {"Yours", "Alex's · edited"}
        shown = "\n".join(text_of(w) for w in cards["Alex's · edited"].query("Static"))
        assert "The walk, and the soup after" in shown
        assert "you first read: The walk" in shown
        assert "An edit made since shows what was first read" in text_of(
            screen.query_one("#shared-lead")
        )
        await pilot.press("e")  # Sam changes theirs now: told it will show as edited
        await settle(pilot)
        lead = text_of(screen.query_one("#form-lead"))
        assert "shows to Alex as edited" in lead and "sealed" not in lead, lead
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("w")
        await settle(pilot)
        mine = next(c for c in app.screen.query(CheckinCard) if c.border_title.startswith("Yours"))
        assert mine.border_title == "Yours · edited"
        assert "Sam first read: The walk" in "\n".join(text_of(w) for w in mine.query("Static"))
