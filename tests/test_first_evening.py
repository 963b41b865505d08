"""A brand-new couple's first evening, driven through Textual's Pilot on a fresh space: the
empty screens say what to do first, nothing points at a menu that isn't there yet, and no
check-in is due before the couple's first week together has passed."""

from __future__ import annotations

import pytest

from companion.tui.screens.care import CareScreen
from companion.tui.widgets.action_list import ActionList
from companion.tui.widgets.due_list import DueList
from companion.tui.widgets.new_notes import NewNotes

from .test_tui import (
    SIZE,
    Couple,
    anyio_backend,
    light_kdf,
    opened,
    pinned_clock,
    settle,
    space,
)

__all__ = ["anyio_backend", "light_kdf", "pinned_clock", "space"]

pytestmark = pytest.mark.anyio


def _shown(widget) -> str:
    """Everything a list widget draws (its rows, or what it says when empty)."""
    return " ".join(str(child.render()) for child in widget.children) or str(widget.render())


async def _tonight(space: Couple) -> tuple[str, str, str | None]:
    """Tonight's care list, its notes list and its banner (None when hidden), for Alex."""
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        due = _shown(app.screen.query_one(DueList))
        notes = _shown(app.screen.query_one(NewNotes))
        banner = app.screen.query_one("#banner")
        shown = str(banner.render()) if banner.display else None
    app.close_session()
    return due, notes, shown


async def test_the_first_evening_says_what_to_do_first(space: Couple) -> None:
    due, notes, banner = await _tonight(space)
    assert "Start with your care menus (press c)" in due
    assert "less supported lately, let them write theirs first" in due
    assert "care menu is here" not in due and "choose from" not in due
    assert "Send Sam one specific note of thanks" in notes
    assert banner is None

    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CareScreen)
        actions = _shown(app.screen.query_one(ActionList))
        assert "Once Sam's care menu arrives, adopt one small thing" in actions
        assert "from Sam's menu (Enter)" not in actions
        mine = _shown(app.screen.query_one("#my-needs"))
        assert "let them write theirs first" in mine
    app.close_session()

    # Alex writes a menu: Tonight waits for Sam's
    alex = space.session("alex")
    alex.add_need("Ten quiet minutes when I get home")
    alex.sync()
    alex.close()
    due, _, _ = await _tonight(space)
    assert "Your care menu is written. Once Sam's arrives, adopt one small thing" in due

    # Sam's menu arrives: now there is something to adopt, and the Care screen says so
    sam = space.session("sam")
    sam.sync()
    sam.add_need("A text on stressful days")
    sam.sync()
    sam.close()
    alex = space.session("alex")
    alex.sync()
    alex.close()
    due, _, _ = await _tonight(space)
    assert "Sam's care menu is here: adopt one small thing from it (press c)." in due
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        app.sync_now()
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        actions = _shown(app.screen.query_one(ActionList))
        assert "Adopt one small thing from Sam's menu (Enter)" in actions
    app.close_session()

    # once Alex has sent a note, Tonight stops suggesting one
    alex = space.session("alex")
    alex.add_gratitude("Thank you for the tea this morning; I felt looked after.")
    alex.close()
    _, notes, _ = await _tonight(space)
    assert "one specific note" not in notes


async def test_no_checkin_is_due_in_the_couples_first_week(
    space: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the space began on Thursday 26 November; Sunday is the check-in day
    monkeypatch.setenv("COMPANION_NOW", "2026-11-29T20:30:00")
    _, _, banner = await _tonight(space)
    assert banner is None
    # a week on, on the check-in weekend, it is
    monkeypatch.setenv("COMPANION_NOW", "2026-12-05T20:30:00")
    _, _, banner = await _tonight(space)
    assert banner is not None and "This week's check-in is due" in banner
