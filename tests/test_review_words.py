"""`companion review` takes the receiver's words as the app speaks them: `didnt-reach-me`,
and `missed` as before; help and completion offer the same words."""

from __future__ import annotations

from companion.cli.helptext import EXAMPLES

THEN = "2026-11-12T20:00:00"  # a Thursday, two weeks before NOW
NOW = "2026-11-26T20:00:00"


def test_didnt_reach_me_is_the_missed_verdict(make_partner) -> None:
    alex, sam = make_partner("alex"), make_partner("sam")
    alex.ok("init", str(alex.shared), "--name", "Alex", COMPANION_NOW=THEN)
    sam.ok("join", str(sam.shared), "--name", "Sam", COMPANION_NOW=THEN)
    alex.ok("sync", COMPANION_NOW=THEN)
    alex.ok("add", "care", "Text Sam at lunch", COMPANION_NOW=THEN)
    alex.ok("add", "care", "Tidy the kitchen", COMPANION_NOW=THEN)
    said = sam.ok("review", "text sam", "didnt-reach-me", COMPANION_NOW=NOW).out
    assert "Noted for 2026-W47: didn't reach me." in said
    sam.ok("review", "tidy", "missed", COMPANION_NOW=NOW)
    reviews = sam.ok("list", "reviews", "--json", COMPANION_NOW=NOW).json()
    # stored (and printed for scripts) under one name, whichever word was typed
    assert sorted(r["verdict"] for r in reviews) == ["missed", "missed"]
    listed = alex.ok("list", "care", COMPANION_NOW=NOW).out
    assert "‘Text Sam at lunch’ didn't reach Sam" in listed
    wrong = sam.run("review", "tidy", "didnt-land", COMPANION_NOW=NOW)
    assert wrong.code == 1 and "didnt-reach-me" in wrong.err and "Traceback" not in wrong.err


def test_help_and_completion_offer_the_apps_words(make_partner) -> None:
    alex = make_partner("alex")
    shown = alex.ok("review", "--help").out
    assert "didnt-reach-me" in shown and EXAMPLES["review"] in shown
    done = alex.ok(
        _COMPANION_COMPLETE="bash_complete", COMP_WORDS="companion review tea d", COMP_CWORD="3"
    )
    assert {line.split(",", 1)[1] for line in done.out.splitlines()} == {"didnt-reach-me"}
    every = alex.ok(
        _COMPANION_COMPLETE="bash_complete", COMP_WORDS="companion review tea ''", COMP_CWORD="3"
    )
    offered = [line.split(",", 1)[1] for line in every.out.splitlines()]
    assert offered == ["landed", "didnt-reach-me", "not-needed", "missed"]
