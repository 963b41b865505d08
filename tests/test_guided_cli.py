"""The guided check-in at the shell: `companion checkin` alone shows the week's steps and
prompts, and `companion tonight` (and its --json) shows this week's prompts, the same for both
partners whatever their time zones."""

from __future__ import annotations

import json

import pytest

from companion.domain.checkin_fields import QUESTIONS
from companion.domain.prompts import couple_seed, week_prompts

from .test_cli import check_fails, ok

AUCKLAND, LOS_ANGELES = "Pacific/Auckland", "America/Los_Angeles"
# Monday 19:30 in Auckland is Sunday 22:30 in Los Angeles: by their own calendars, two weeks.
EVENING = "2026-11-30T06:30:00+00:00"
GUIDED = ["supported", "victory", "attention", "request"]


def space_id(partner) -> str:
    return json.loads((partner.shared / "companion" / "space.json").read_text())["space_id"]


@pytest.mark.parametrize("maker", [AUCKLAND, LOS_ANGELES])
def test_tonight_offers_both_partners_the_same_prompts_across_time_zones(make_partner, maker):
    alex, sam = make_partner("alex"), make_partner("sam")
    other = LOS_ANGELES if maker == AUCKLAND else AUCKLAND
    ok(alex, "init", str(alex.shared), "--name", "Alex", TZ=maker)
    ok(sam, "join", str(sam.shared), "--name", "Sam", TZ=other)
    ok(alex, "sync", TZ=maker)
    seen = {}
    for partner, zone, name in ((alex, maker, "Sam"), (sam, other, "Alex")):
        data = ok(partner, "tonight", "--json", TZ=zone, COMPANION_NOW=EVENING).json()
        checkin = data["checkin"]
        assert [p["step"] for p in checkin["prompts"]] == GUIDED
        seen[name] = (checkin["week"], checkin["prompts"])
    (week, for_alex), (sam_week, for_sam) = seen["Sam"], seen["Alex"]
    assert week == sam_week
    expected = week_prompts(week, couple_seed(space_id(alex)))
    assert [p["text"] for p in for_alex] == [p.text("Sam") for p in expected]
    assert [p["text"] for p in for_sam] == [p.text("Alex") for p in expected]
    assert [p["title"] for p in for_alex] == [p["title"] for p in for_sam]


def test_tonight_lists_the_prompts_until_my_check_in_is_in(couple):
    alex, _ = couple
    data = ok(alex, "tonight", "--json").json()
    prompts = [p["text"] for p in data["checkin"]["prompts"]]
    text = ok(alex, "tonight").out
    assert "This week's prompts, there if they help" in text
    places = [text.index(words) for words in prompts]
    assert places == sorted(places), "the prompts come in the guided order"
    assert text.index("Check-in ") < places[0]

    ok(alex, "checkin", "--supported", "The tea", "--attention", "When late, I felt alone")
    after = ok(alex, "tonight").out
    assert "yours is shared" in after
    assert not any(words in after for words in prompts)
    # Still in the data: a script decides for itself what to show.
    assert [p["text"] for p in ok(alex, "tonight", "--json").json()["checkin"]["prompts"]] == (
        prompts
    )


def test_checkin_without_answers_shows_the_steps_with_this_weeks_prompts(couple):
    alex, sam = couple
    prompts = [p["text"] for p in ok(alex, "tonight", "--json").json()["checkin"]["prompts"]]
    guide = ok(alex, "checkin").out
    order = [
        guide.index(QUESTIONS[f])
        for f in ("supported", "victory", "attention", "request", "energy", "limits")
    ]
    assert order == sorted(order), guide
    for field, words in zip(GUIDED, prompts, strict=True):
        # each prompt sits under its own step, before the next step begins
        assert guide.index(QUESTIONS[field]) < guide.index(words)
    places = [guide.index(words) for words in prompts]
    assert places == sorted(places)
    assert "--supported TEXT" in guide and "there if they help" in guide
    assert "sealed until Sam shares" in guide
    # Nothing was saved: the guide is only words.
    assert ok(alex, "list", "checkins", "--json").json() == []

    ok(sam, "checkin", "--supported", "The walk", "--attention", "When busy, I felt far")
    assert "Sam has shared theirs" in ok(alex, "checkin").out
    ok(alex, "checkin", "--supported", "The tea", "--attention", "When late, I felt alone")
    assert "Yours for" in ok(alex, "checkin").out


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        (("--victory", "A calm Sunday"), "--supported"),
        (("--supported", "The tea", "--energy", "3"), "--attention"),
        (("--attention", "When late, I felt alone"), "--supported"),
    ],
)
def test_some_answers_without_the_two_needed_ones_are_refused(couple, args, missing):
    alex, _ = couple
    problems = check_fails(alex.run("checkin", *args), 1, "Missing option", missing)
    assert not problems, problems
    problems = check_fails(alex.run("checkin", "--week", "2026-W99"), 1, "not an ISO week")
    assert not problems, problems
    assert ok(alex, "list", "checkins", "--json").json() == []
