"""After the reveal, driven through Pilot: the check-in's two new questions, the "Talking it
over" tab (each guess beside the other's own word, the guide), "how did that go?" kept or
shared, and next week's focus, which the partner sees."""

# The fixtures come from test_tui.py, imported by name, so the tests name them again.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from textual.widgets import Button, Input, Label

from companion.tui.screens.after_reveal import WAITING, AfterReveal
from companion.tui.screens.talk_dialogs import FocusDialog, ReflectDialog
from tests.test_tui import (  # noqa: F401 (fixtures)
    SIZE,
    Couple,
    anyio_backend,
    evening,
    light_kdf,
    opened,
    pinned_clock,
    settle,
    space,
    text_of,
    type_text,
)

pytestmark = pytest.mark.anyio

SAM_GUESS = "Busy with the move, and missing the evenings"
SAM_WEEK = "Heavy start; lighter after the Saturday walk"


def both_shared(evening: Couple) -> None:
    """Sam's check-in (rewritten with the new answers before Alex's is in), then Alex's."""
    sam = evening.session("sam")
    sam.checkin(
        None,
        supported="When you texted at lunch on my deadline day",
        attention="When plans change late, I felt unimportant; what would help is a message",
        energy=2,
        my_week=SAM_WEEK,
        their_week="Long days; maybe lonely by Thursday",
    )
    sam.sync()
    sam.close()
    alex = evening.session("alex")
    alex.sync()
    alex.checkin(
        None,
        supported="Tea waiting when I got home late on Tuesday",
        attention="When we plan the weekend, I feel unheard; what would help is asking me first",
        energy=3,
        my_week="Long days, and lonely by Thursday",
        their_week=SAM_GUESS,
    )
    alex.sync()
    alex.close()
    sam = evening.session("sam")
    sam.sync()  # Sam's app sees Alex's check-in, and publishes the key to Sam's
    sam.close()
    alex = evening.session("alex")
    alex.sync()
    alex.close()


def tab_text(app) -> str:
    return "\n".join(text_of(w) for w in app.screen.query_one(AfterReveal).query("Static"))


async def test_the_form_asks_how_the_week_felt_and_what_it_was_like_for_them(
    evening: Couple,
) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("w")
        await settle(pilot)
        label = app.screen.query_one("#guess-question", Label)
        assert "What do you think this week felt like for Sam?" in text_of(label)
        fields = {
            "supported": "You made dinner",
            "when": "I came home late",
            "felt": "alone",
            "helps": "a text",
            "my_week": "Long, with a good Friday",
            "their_week": "Tired from the move",
        }
        for field, text in fields.items():
            app.screen.query_one(f"#{field}", Input).focus()
            await type_text(pilot, text)
        await pilot.press("ctrl+s")
        await settle(pilot)
    mine = evening.session("alex").checkin_state().mine
    assert mine is not None
    assert mine.get("my_week") == "Long, with a good Friday"
    assert mine.get("their_week") == "Tired from the move"


async def test_before_both_have_shared_the_tab_waits_and_offers_nothing(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("w", "3")
        await settle(pilot)
        assert WAITING in tab_text(app)
        await pilot.press("d", "f")
        await settle(pilot)
        assert not isinstance(app.screen, ReflectDialog | FocusDialog)


async def test_after_the_reveal_guesses_guide_how_it_went_and_the_focus(evening: Couple) -> None:
    both_shared(evening)
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("w", "3")
        await settle(pilot)
        shown = tab_text(app)
        # my guess at Sam's week, beside what Sam wrote about it
        assert f"You guessed Sam's week: “{SAM_GUESS}”" in shown
        assert f"Sam on their own week: “{SAM_WEEK}”" in shown
        assert "Take turns" in shown and "Describe moments, not people" in shown
        assert "Say back what you heard" in shown

        # How did that go? Enter keeps it for me.
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ReflectDialog)
        await type_text(pilot, "Slower than I feared")
        await pilot.press("enter")
        await settle(pilot)
        assert "You (yours alone): “Slower than I feared”" in tab_text(app)
        sam = evening.session("sam")
        sam.sync()
        week = sam.checkin_week()
        assert sam.reflection_of(sam.partner, week) is None
        sam.close()

        # …and shared, by its button, when I choose.
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#share")
        await settle(pilot)
        assert "You (shared with Sam)" in tab_text(app)

        # One focus for next week.
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FocusDialog)
        await type_text(pilot, "One slow evening, phones away")
        await pilot.press("enter")
        await settle(pilot)
        assert "“One slow evening, phones away” (your words)" in tab_text(app)

    sam = evening.session("sam")
    sam.sync()
    assert sam.reflection_of(sam.partner, week) == ("Slower than I feared", True)
    found = sam.next_focus()
    assert found is not None and found.text == "One slow evening, phones away"
    sam.close()


async def test_a_shared_word_can_be_reworded_but_not_taken_back(evening: Couple) -> None:
    both_shared(evening)
    alex = evening.session("alex")
    alex.reflect("It went gently", share=True)
    alex.close()
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("w", "3", "d")
        await settle(pilot)
        ids = [b.id for b in app.screen.query(Button) if b.id]
        assert ids == ["share"]  # no "Keep for me" once shared
        assert app.screen.query_one("#words", Input).value == "It went gently"
