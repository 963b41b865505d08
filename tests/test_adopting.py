"""Adopting well: a need's words turned to the giver's view, the rhythm it asks for offered,
"Adopted" where it already is, and a check-in's "what would help" adoptable like its request."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input, RadioSet

from companion.domain import model as m
from companion.domain.adopting import giver_view, suggested_rhythm, third_person
from companion.tui.screens.care import CareScreen
from companion.tui.screens.checkin import CheckinScreen
from companion.tui.screens.dialogs import CareActionDialog
from companion.tui.widgets.need_list import NeedItem, NeedList
from tests import test_tui as tui
from tests.test_tui import SIZE, Couple, opened, settle, text_of, type_text

anyio_backend, light_kdf, pinned_clock = tui.anyio_backend, tui.light_kdf, tui.pinned_clock
evening = tui.evening
space = tui.space


@pytest.mark.parametrize(
    ("need", "task"),
    [
        (
            "Notice the small things I do around the house",
            "Notice the small things Sam does around the house",
        ),
        (
            "Hear about your day without me having to ask",
            "Hear about my day without Sam having to ask",
        ),
        ("I need a hug when I get home", "Sam needs a hug when they get home"),
        ("Tell me when you are running late", "Tell Sam when I am running late"),
        ("When I'm tired, let me rest", "When Sam is tired, let them rest"),
        ("Ask me how my day was", "Ask Sam how their day was"),
        ("I really miss our walks", "Sam really misses our walks"),
        ("a message as soon as you know", "a message as soon as I know"),
        ("Ten quiet minutes when I get home", "Ten quiet minutes when Sam gets home"),
        ("I wanted more time with you", "Sam wanted more time with me"),
        ("Ask before giving advice", "Ask before giving advice"),
    ],
)
def test_a_need_reads_as_the_givers_task(need: str, task: str) -> None:
    assert giver_view(need, "Sam") == task


def test_verbs_after_a_name() -> None:
    pairs = [("do", "does"), ("try", "tries"), ("watch", "watches"), ("miss", "misses")]
    pairs += [("have", "has"), ("am", "is"), ("can", "can"), ("play", "plays"), ("need", "needs")]
    assert [third_person(verb) for verb, _ in pairs] == [third for _, third in pairs]


PERSONAL = {"i", "me", "my", "mine", "myself", "you", "your", "yours", "yourself"}
plain_words = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
        lambda w: w not in PERSONAL and not w.startswith(("i'", "you'"))
    ),
    min_size=1,
    max_size=12,
)


@given(plain_words, st.sampled_from([" ", ", ", " - "]))
def test_words_about_no_one_stay_as_they_are(words: list[str], gap: str) -> None:
    text = gap.join(words)
    assert giver_view(text, "Sam") == text


@pytest.mark.parametrize(
    ("text", "rhythm"),
    [
        ("A walk together on Saturday", (m.WEEKLY, [])),
        ("Cook on Sundays and Wednesdays", (m.DAYS, [2, 6])),
        ("Once a week, plan something small", (m.WEEKLY, [])),
        ("A text every day at lunch", (m.DAILY, [])),
        ("A check-in text on stressful days", (m.AS_NEEDED, [])),
        ("Ten quiet minutes when I get home", (m.AS_NEEDED, [])),
        ("Walk the dog on weekdays", (m.WEEKDAYS, [])),
        ("Ask before giving advice", (m.DAILY, [])),
    ],
)
def test_the_rhythm_offered_follows_the_words(text: str, rhythm: tuple[str, list[int]]) -> None:
    assert suggested_rhythm(text) == rhythm


def test_a_request_without_a_rhythm_is_offered_once_a_week() -> None:
    assert suggested_rhythm("Cook together", m.WEEKLY) == (m.WEEKLY, [])


def chosen_cadence(dialog: CareActionDialog) -> str | None:
    pressed = dialog.query_one(RadioSet).pressed_button
    return None if pressed is None else pressed.name


@pytest.mark.anyio
async def test_adopting_from_the_menu_and_the_check_in(evening: Couple) -> None:
    sam = evening.session("sam")
    sam.add_need("Notice the small things I do around the house")
    sam.sync()
    sam.close()
    alex = evening.session("alex")
    alex.sync()
    alex.checkin(None, supported="The tea", attention="When …, I felt …; what would help is …")
    alex.sync()
    alex.close()
    for who in ("sam", "alex"):  # Sam's app sees Alex's check-in and opens Sam's to Alex
        session = evening.session(who)
        session.sync()
        session.close()
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CareScreen)
        menu = app.screen.query_one("#partner-needs", NeedList)
        items = list(menu.query(NeedItem))
        # The first is adopted already: it says so, and Enter offers nothing there.
        assert items[0].row.adopted and "Adopted" in items[0].render().plain
        assert "Adopt" in items[1].render().plain and "Adopted" not in items[1].render().plain
        assert menu.check_action("adopt", ()) is False
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CareScreen)

        await pilot.press("down", "down", "down", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CareActionDialog)
        title = dialog.query_one("#care-title", Input)
        assert title.value == "Notice the small things Sam does around the house"
        assert chosen_cadence(dialog) == m.DAILY
        title.focus()
        await pilot.press("end")
        await type_text(pilot, " and say thanks")  # editable before it is saved
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CareScreen)
        adopted = [i for i in app.screen.query("#partner-needs NeedItem").results(NeedItem)]
        assert adopted[3].row.adopted

        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, CheckinScreen)
        assert app.screen.check_action("adopt_request", ()) is True
        await pilot.press("r")  # Sam's request: "A walk together on Saturday"
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CareActionDialog)
        assert dialog.query_one("#care-title", Input).value == "A walk together on Saturday"
        assert chosen_cadence(dialog) == m.WEEKLY
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("o")  # what would help Sam, from the area needing attention
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CareActionDialog)
        assert "what would help" in text_of(dialog.query_one(".dialog-lead"))
        assert dialog.query_one("#care-title", Input).value == "a message as soon as I know"
        assert chosen_cadence(dialog) == m.AS_NEEDED
        await pilot.press("ctrl+s")
        await settle(pilot)
    alex = evening.session("alex")
    mine = {a.get("title"): a for a in alex.my_actions()}
    noticed = mine["Notice the small things Sam does around the house and say thanks"]
    assert noticed.get("cadence") == m.DAILY and noticed.get("need")
    assert mine["a message as soon as I know"].get("cadence") == m.AS_NEEDED
