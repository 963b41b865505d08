"""Balance, never a score (DESIGN §10): no screen or command counts either partner's done or
rested evenings, and a partner's rest is theirs alone, never shown on the other's side."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from textual.widget import Widget

from companion.domain import model as m
from tests import test_tui as tui
from tests.test_tui import SIZE, TODAY, Couple, opened, settle

# test_tui's fixtures, used here by name.
anyio_backend, light_kdf, pinned_clock = tui.anyio_backend, tui.light_kdf, tui.pinned_clock
practice = tui.practice

pytestmark = pytest.mark.anyio

# A tally of effort or rest: "4 done", "2 rest", "6 of 7", "3 notes, 2 landed".
TALLY = re.compile(r"\d+\s*(×|done|rest|skip)|\b\d+ of \d+\b|\d+\s+notes?\b|\d+\s+landed")
REST = re.compile(r"☾|\brest(ed|ing)?\b|\bskip", re.IGNORECASE)
SCREENS = ("t", "c", "g", "w", "a", "p", "h")


def shown_text(screen: Widget) -> str:
    """What a screen shows, less its fixed hints (which explain what ☾ means)."""
    parts = []
    # text widgets, and the widgets that draw their own text (a care action's weeks)
    for widget in screen.query("Static, WeekTable"):
        if widget.has_class("hint") or not widget.visible:
            continue
        parts.append(str(widget.render()))
    return "\n".join(parts)


async def every_screen(couple: Couple, who: str) -> dict[str, str]:
    app = couple.app(who)
    seen = {}
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        for key in SCREENS:
            await pilot.press(key)
            await settle(pilot)
            seen[key] = shown_text(app.screen)
    return seen


def sam_rests_this_week(couple: Couple) -> None:
    sam = couple.session("sam")
    [tea] = sam.my_actions()
    sam.tick(tea.id, TODAY - dt.timedelta(days=2), skip=True)
    sam.tick(tea.id, TODAY - dt.timedelta(days=4), skip=True)
    sam.sync()
    sam.close()
    alex = couple.session("alex")
    alex.sync()
    alex.close()


async def test_no_screen_counts_care_or_shows_the_partners_rest(practice: Couple) -> None:
    sam_rests_this_week(practice)
    alex_sees = await every_screen(practice, "alex")
    sam_sees = await every_screen(practice, "sam")
    for who, seen in (("alex", alex_sees), ("sam", sam_sees)):
        for key, text in seen.items():
            assert not TALLY.search(text), (who, key, TALLY.search(text), text)
    # Alex rested on some days: Alex's own Care says so kindly; none of Sam's screens do.
    assert "☾" in alex_sees["c"]
    for key, text in sam_sees.items():
        if key != "c":
            assert not REST.search(text), (key, text)
    # Sam rested this week: Sam's own Care says so; none of Alex's screens do but Alex's own
    # care, which Alex rested from too, on Care.
    assert "☾" in sam_sees["c"]
    for key, text in alex_sees.items():
        if key != "c":
            assert not REST.search(text), (key, text)
    assert "Make tea" not in alex_sees["c"], "Sam's care actions aren't on Alex's Care"


def test_the_partners_rest_is_never_listed_or_exported(couple, tmp_path) -> None:
    alex, sam = couple
    sam.ok("add", "care", "Make tea in the evening")
    sam.ok("add", "care", "Walk together after dinner")
    sam.ok("tick", "make tea", "--skip")
    sam.ok("tick", "walk together")
    alex.ok("sync")
    ticks = alex.ok("list", "ticks", "--json").json()
    assert [t["status"] for t in ticks] == [m.DONE], "Sam's rest is Sam's"
    assert "skipped" not in alex.ok("list", "ticks").out
    out = tmp_path / "alex.json"
    alex.ok("export", "--format", "json", "--output", str(out))
    exported = json.loads(out.read_text())["records"]
    assert [r["status"] for r in exported if r["type"] == m.TICK] == [m.DONE]
    status = alex.ok("status").out + json.dumps(alex.ok("status", "--json").json())
    assert not TALLY.search(status) and not REST.search(status), status
    # Sam's own list keeps both.
    own = sam.ok("list", "ticks", "--json").json()
    assert sorted(t["status"] for t in own) == [m.DONE, m.SKIPPED]
