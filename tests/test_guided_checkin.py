"""The guided check-in: its steps in the order of a good weekly talk, this week's prompt above
each of the first four, the same prompts for both partners (whatever their time zones), and
prompts that stay help, never required."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from textual.widgets import Input

from companion.domain.checkin_fields import QUESTIONS
from companion.domain.prompts import REST_WEEKS, STEPS
from companion.tui.screens.checkin import CheckinScreen
from companion.tui.widgets.prompts import StepPrompt

from .syncsim import partners
from .test_tui import (
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

__all__ = ["anyio_backend", "evening", "light_kdf", "pinned_clock", "space"]
pytestmark = pytest.mark.anyio

GUIDED = ["supported", "victory", "attention", "request"]
AUCKLAND, LOS_ANGELES = "Pacific/Auckland", "America/Los_Angeles"
# Monday 19:30 in Auckland is Sunday 22:30 in Los Angeles: the week turns between them.
EVENING_MS = int(dt.datetime.fromisoformat("2026-11-30T06:30:00+00:00").timestamp() * 1000)


async def shown_prompts(pilot) -> list[tuple[str, str]]:
    """The step prompts the open check-in form shows, top to bottom: (step, words)."""
    app = pilot.app
    await pilot.press("w")
    await settle(pilot)
    assert isinstance(app.screen, CheckinScreen)
    return [
        (hint.step, text_of(hint))
        for hint in app.screen.query(StepPrompt)
        if hint.display and text_of(hint)
    ]


async def test_the_form_asks_in_the_guided_order_with_this_weeks_prompts(space: Couple) -> None:
    alex = space.session("alex")
    expected = [(p.step.field, p.text("Sam")) for p in alex.checkin_prompts()]
    alex.close()
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        assert await shown_prompts(pilot) == expected
        assert [step for step, _ in expected] == GUIDED
        questions = [text_of(label) for label in app.screen.query("#questions Label.question")]
        guided = ("supported", "victory", "attention", "request", "energy", "limits", "my_week")
        # Then, in each other's words, the guess at the partner's week (which names them).
        assert questions == [QUESTIONS[f] for f in guided] + [
            "What do you think this week felt like for Sam?"
        ]
        # Each prompt sits just above its own step's field.
        for hint in app.screen.query(StepPrompt):
            field = hint.parent.query(Input).first()
            assert field.id == ("when" if hint.step == "attention" else hint.step)
        # Appreciation and what went right come before the area needing attention.
        order = [w.id for w in app.screen.query("#questions Input")]
        assert order.index("supported") < order.index("victory") < order.index("when")
        assert order.index("helps") < order.index("request") < order.index("limits")
        assert "prompts are there if they help" in text_of(app.screen.query_one("#form-lead"))


async def test_both_partners_see_the_same_prompts_and_next_week_brings_new_ones(
    space: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = {}
    for who, other in (("alex", "Sam"), ("sam", "Alex")):
        app = space.app(who)
        async with app.run_test(size=SIZE) as pilot:
            await opened(pilot)
            shown = await shown_prompts(pilot)
        alex_words = [(step, words.replace(other, "{partner}")) for step, words in shown]
        seen[who] = alex_words
        assert all("{" not in words for _, words in shown)
    assert seen["alex"] == seen["sam"]
    assert len(seen["alex"]) == len(STEPS)

    monkeypatch.setenv("COMPANION_NOW", "2026-12-03T20:30:00")  # a week on
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        later = await shown_prompts(pilot)
    assert [step for step, _ in later] == GUIDED
    for (step, before), (_, after) in zip(seen["alex"], later, strict=True):
        assert before != after.replace("Sam", "{partner}"), step


async def test_a_prompt_is_never_a_field_to_fill(evening: Couple) -> None:
    """Only the two answers the check-in always asked for are needed; no prompt is kept."""
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await shown_prompts(pilot)
        for field, words in (("supported", "the tea"), ("when", "I came home late")):
            app.screen.query_one(f"#{field}", Input).focus()
            await type_text(pilot, words)
        for field in ("felt", "helps"):
            app.screen.query_one(f"#{field}", Input).focus()
            await type_text(pilot, "a little")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.query_one("#week-switch").current == "shared"
        await pilot.press("e")  # changing it later: the week's prompts are there again
        await settle(pilot)
        shown = [hint.step for hint in app.screen.query(StepPrompt) if hint.display]
        assert shown == GUIDED
    mine = evening.session("alex").checkin_state().mine
    assert mine is not None and mine.get("supported") == "the tea"
    prompts = {p.template for p in evening.session("alex").checkin_prompts()}
    kept = {k: v for k, v in mine.fields.items() if isinstance(v, str)}
    assert not any(v in prompts or "{partner}" in v for v in kept.values())
    assert set(kept) <= {"week", "supported", "attention"}


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch):
    """Set this process's own time zone, and put it back afterwards."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("maker", [AUCKLAND, LOS_ANGELES])
def test_partners_far_apart_get_the_same_prompts_on_one_evening(
    tmp_path, monkeypatch, local_zone, maker
) -> None:
    """Alex made the space in one zone, Sam lives in the other: on the evening their own
    calendars put in two different weeks, both apps offer the same prompts."""
    other = LOS_ANGELES if maker == AUCKLAND else AUCKLAND
    local_zone(maker)
    world = partners(tmp_path, monkeypatch)
    alex, sam = (device.session for device in world.devices)
    assert alex.week_zone() == maker
    world.clock.ms = EVENING_MS
    maker_prompts = alex.checkin_prompts()
    local_zone(other)
    partner_prompts = sam.checkin_prompts()
    assert [p.template for p in maker_prompts] == [p.template for p in partner_prompts]
    assert alex.checkin_week() == sam.checkin_week()
    # By Sam's own calendar it is another week, whose prompts are not these.
    elsewhere = sam.checkin_prompts("2026-W48" if alex.checkin_week() == "2026-W49" else "2026-W49")
    assert all(a.number != b.number for a, b in zip(partner_prompts, elsewhere, strict=True))


def test_a_couple_sees_no_prompt_twice_in_twelve_weeks_of_their_own(tmp_path, monkeypatch):
    """Through the Session: twelve check-in weeks in a row, across the year's end."""
    world = partners(tmp_path, monkeypatch)
    alex, sam = (device.session for device in world.devices)
    monday = dt.date(2026, 11, 30)
    weeks = [
        "{}-W{:02d}".format(*(monday + dt.timedelta(weeks=n)).isocalendar()[:2])
        for n in range(REST_WEEKS)
    ]
    assert "2027-W01" in weeks
    alex_run = [alex.checkin_prompts(week) for week in weeks]
    assert alex_run == [sam.checkin_prompts(week) for week in weeks]
    for place, step in enumerate(STEPS):
        assert len({prompts[place].number for prompts in alex_run}) == REST_WEEKS, step
