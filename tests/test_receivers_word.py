"""The receiver's word reaches the giver, kindly: on the giver's Care screen and in `list care`,
with the receiver's few words of what would help instead (only the receiver may write them)."""

from __future__ import annotations

import pytest

from companion.domain import model as m
from companion.domain import rights, schema
from companion.domain.words import their_word
from companion.tui.screens.care import CareScreen
from companion.tui.screens.checkin import CheckinScreen
from companion.tui.screens.dialogs import WordsDialog
from tests import test_tui as tui
from tests.test_tui import SIZE, Couple, opened, settle, text_of, type_text

anyio_backend, light_kdf, pinned_clock = tui.anyio_backend, tui.light_kdf, tui.pinned_clock
practice = tui.practice

THEN = "2026-11-12T20:00:00"  # a Thursday, two weeks before NOW
NOW = "2026-11-26T20:00:00"


def test_the_sentence_is_kind_and_asks_only_where_care_missed() -> None:
    landed = their_word("Sam", [("Text at lunch", "landed", None)], "last week")
    assert landed == "Sam's word on last week: ‘Text at lunch’ landed"
    mixed = their_word(
        "Sam",
        [("Text at lunch", "landed", None), ("Tidy the kitchen", "not-needed", "a hug")],
        "last week",
    )
    assert mixed == (
        "Sam's word on last week: ‘Text at lunch’ landed; ‘Tidy the kitchen’ wasn't needed "
        "(what would help instead: a hug) — keep, change or retire?"
    )
    assert "didn't reach Sam" in their_word("Sam", [("Walk", "missed", None)], "last week")


def test_a_reviews_words_are_checked_by_the_schema() -> None:
    fields = {"action": "0" * 26, "week": "2026-W47", "verdict": "landed"}
    op = {"op": "set", "type": m.REVIEW, "id": "0" * 26, "author": "a" * 16, "device": "b" * 16}
    assert schema.check_op({**op, "fields": {**fields, "note": "a hug"}}) is None
    assert schema.check_op({**op, "fields": {**fields, "note": None}}) is None
    for bad in ("", "x" * 201, 3, "a\x1b[2J"):
        found = schema.check_op({**op, "fields": {**fields, "note": bad}})
        assert found is not None and found.field == "note", bad


def test_list_care_tells_the_giver_the_receivers_word(make_partner) -> None:
    alex, sam = make_partner("alex"), make_partner("sam")
    alex.ok("init", str(alex.shared), "--name", "Alex", COMPANION_NOW=THEN)
    sam.ok("join", str(sam.shared), "--name", "Sam", COMPANION_NOW=THEN)
    alex.ok("sync", COMPANION_NOW=THEN)
    alex.ok("add", "care", "Text Sam at lunch", COMPANION_NOW=THEN)
    alex.ok("add", "care", "Tidy the kitchen", COMPANION_NOW=THEN)
    assert "word" not in alex.ok("list", "care", COMPANION_NOW=NOW).out
    said = sam.ok("review", "text sam", "landed", COMPANION_NOW=NOW).out
    assert "Noted for 2026-W47: landed." in said
    said = sam.ok(
        "review", "tidy", "not-needed", "--note", "a hug when I get home", COMPANION_NOW=NOW
    ).out
    assert "not needed (a hug when I get home)" in said
    listed = alex.ok("list", "care", COMPANION_NOW=NOW).out
    assert (
        "Sam's word on last week: ‘Text Sam at lunch’ landed; ‘Tidy the kitchen’ wasn't needed "
        "(what would help instead: a hug when I get home) — keep, change or retire?"
    ) in listed
    # A verdict alone keeps the words said before; Sam's own list reads "didn't reach me".
    sam.ok("review", "tidy", "missed", COMPANION_NOW=NOW)
    reviews = sam.ok("list", "reviews", COMPANION_NOW=NOW).out
    assert "Tidy the kitchen — didn't reach me (what would help instead: a hug" in reviews
    # Sam's own care list carries no word about Alex's care.
    assert "word on" not in sam.ok("list", "care", COMPANION_NOW=NOW).out


@pytest.mark.anyio
async def test_the_receivers_words_reach_the_givers_care_screen(practice: Couple) -> None:
    app = practice.app("sam")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("w", "2")  # Check-in, last week's care
        await settle(pilot)
        assert isinstance(app.screen, CheckinScreen)
        await pilot.press("m")  # it didn't reach me
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WordsDialog)
        await type_text(pilot, "a text before the meeting")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CheckinScreen)
        item = app.screen.query_one("#reviews ReviewItem")
        assert "what would help instead: a text before the meeting" in "\n".join(
            text_of(w) for w in item.query(".note")
        )
    for who in ("sam", "alex"):
        session = practice.session(who)
        session.sync()
        session.close()
    app = practice.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CareScreen)
        word = app.screen.query_one("#their-word")
        assert word.display
        assert text_of(word) == (
            "Sam's word on last week: ‘Text Sam at lunch on busy days’ didn't reach Sam "
            "(what would help instead: a text before the meeting) — keep, change or retire?"
        )


def test_only_the_receiver_writes_their_words() -> None:
    receiver, giver = "a" * 16, "c" * 16
    review = rights.Owned(m.REVIEW, receiver)
    op = {"op": "set", "type": m.REVIEW, "id": "0" * 26, "fields": {"note": "keep it up"}}
    assert rights.judge({**op, "author": receiver}, review, None, [receiver, giver]) is None
    refused = rights.judge({**op, "author": giver}, review, None, [receiver, giver])
    assert isinstance(refused, rights.NotAllowed) and refused.field == "note"
