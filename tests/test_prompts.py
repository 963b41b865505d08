"""The check-in's prompts: a library of our own, one per step a week, no repeat within twelve
weeks for a couple, and the same prompts for both partners whatever their time zones."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.domain.checkin_fields import CHECKIN_FIELDS
from companion.domain.ids import iso_week
from companion.domain.prompt_library import LIBRARY
from companion.domain.prompts import (
    REST_WEEKS,
    STEPS,
    couple_seed,
    prompt_for,
    week_prompts,
)

# Any Monday from 1990 to 2100: years of 52 and of 53 ISO weeks, and every year's turn.
mondays = st.integers(
    dt.date(1990, 1, 1).toordinal() // 7, dt.date(2100, 1, 1).toordinal() // 7
).map(lambda n: dt.date.fromordinal(n * 7 + 1))
seeds = st.binary(min_size=1, max_size=24).map(lambda raw: couple_seed(raw.hex()))


def weeks_from(monday: dt.date, count: int) -> list[str]:
    return [iso_week(monday + dt.timedelta(weeks=n)) for n in range(count)]


def test_the_library_is_large_and_every_prompt_is_its_own():
    every = [text for step in STEPS for text in LIBRARY[step.field]]
    assert len(every) >= 48
    assert len(set(every)) == len(every), "a prompt appears twice"
    # No two prompts say the same thing with different capitals or punctuation either.
    words = [re.sub(r"\W+", " ", text.lower()).strip() for text in every]
    assert len(set(words)) == len(words)
    for step in STEPS:
        assert len(LIBRARY[step.field]) >= REST_WEEKS, step.title
    for text in every:
        assert text == text.strip() and text[0].isupper() and text[-1] in "?."
        assert len(text.replace("{partner}", "Sam")) <= 100, text
        # Only the partner's name is filled in: no other braces a format could trip on.
        assert re.sub(r"\{partner\}", "", text).count("{") == 0, text


def test_steps_go_in_the_order_of_a_good_weekly_talk():
    assert [step.field for step in STEPS] == ["supported", "victory", "attention", "request"]
    assert set(LIBRARY) == {step.field for step in STEPS}
    assert all(step.field in CHECKIN_FIELDS for step in STEPS)


def test_a_prompt_names_the_partner_where_it_speaks_of_them():
    prompt = next(
        prompt_for(STEPS[0], week, couple_seed("ours"))
        for week in weeks_from(dt.date(2026, 1, 5), 16)
        if "{partner}" in prompt_for(STEPS[0], week, couple_seed("ours")).template
    )
    assert "Sam" in prompt.text("Sam") and "{" not in prompt.text("Sam")


@settings(max_examples=300, deadline=None)
@given(seed=seeds, monday=mondays)
def test_no_prompt_comes_back_within_twelve_weeks(seed, monday):
    weeks = weeks_from(monday, REST_WEEKS)
    for step in STEPS:
        offered = [prompt_for(step, week, seed).number for week in weeks]
        assert len(set(offered)) == REST_WEEKS, (step.field, weeks, offered)


@settings(max_examples=60, deadline=None)
@given(seed=seeds, monday=mondays)
def test_over_a_long_run_every_window_of_twelve_is_fresh_and_every_prompt_comes(seed, monday):
    """Three years running, across cycle and year ends alike: any twelve weeks in a row
    offer twelve different prompts per step, and no prompt of a step is left out."""
    weeks = weeks_from(monday, 160)
    for step in STEPS:
        offered = [prompt_for(step, week, seed).number for week in weeks]
        for start in range(len(offered) - REST_WEEKS + 1):
            window = offered[start : start + REST_WEEKS]
            assert len(set(window)) == REST_WEEKS, (step.field, weeks[start])
        assert set(offered) == set(range(len(LIBRARY[step.field])))


@pytest.mark.parametrize(
    ("last", "first"),
    [("2020-W53", "2021-W01"), ("2026-W53", "2027-W01"), ("2025-W52", "2026-W01")],
)
def test_the_year_turns_without_a_gap(last, first):
    """A year of 53 weeks and one of 52 both hand on to week 1 as to any next week."""
    seed = couple_seed("a space")
    monday = dt.date.fromisoformat(f"{last[:4]}-12-20")
    weeks = weeks_from(monday - dt.timedelta(days=monday.weekday()), 24)
    assert last in weeks and first in weeks
    assert weeks.index(first) == weeks.index(last) + 1
    for step in STEPS:
        offered = [prompt_for(step, week, seed).number for week in weeks]
        for start in range(len(offered) - REST_WEEKS + 1):
            assert len(set(offered[start : start + REST_WEEKS])) == REST_WEEKS


@given(seed=seeds, monday=mondays)
def test_a_week_has_one_prompt_per_step_and_the_same_each_time_it_is_asked(seed, monday):
    week = iso_week(monday)
    prompts = week_prompts(week, seed)
    assert [p.step for p in prompts] == list(STEPS)
    assert prompts == week_prompts(week, bytes(seed))
    for prompt in prompts:
        assert LIBRARY[prompt.step.field][prompt.number] == prompt.template


def test_couples_get_their_own_rotation():
    weeks = weeks_from(dt.date(2026, 1, 5), REST_WEEKS)
    runs = {
        tuple(prompt_for(STEPS[0], week, couple_seed(space)).number for week in weeks)
        for space in ("ours", "theirs", "a third", "a fourth")
    }
    assert len(runs) > 1


def test_the_seed_is_the_space_ids_and_nothing_else():
    assert couple_seed("0123456789abcdef01234567") == couple_seed("0123456789abcdef01234567")
    assert couple_seed("0123456789abcdef01234567") != couple_seed("0123456789abcdef01234568")
