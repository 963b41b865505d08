"""Every screen at 80×24, the common default terminal (the 100×32 ones are in test_tui.py),
on the same fixed data: every control visible, nothing cut or wrapped into nonsense.

Snapshots, and Pilot checks of what a snapshot can't say by itself: the screens' bar names
every screen, the sync status stays whole, a long word in a note doesn't fill Tonight, and a
field gives the focus back once what was typed in it is sent.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from companion.store import keychain
from companion.tui.navigation import DESTINATIONS
from companion.tui.screens.keys import KeysScreen
from companion.tui.widgets.agreement_list import AgreementList
from companion.tui.widgets.due_list import DueList
from companion.tui.widgets.header import AppHeader
from companion.tui.widgets.nav_bar import BottomBar
from companion.tui.widgets.new_notes import NewNotes

from .test_tui import (
    SIZE,
    Couple,
    anyio_backend,
    evening,
    goto,
    light_kdf,
    opened,
    pinned_clock,
    practice,
    settle,
    space,
    text_of,
    type_text,
)

__all__ = ["anyio_backend", "evening", "light_kdf", "pinned_clock", "practice", "space"]

NARROW = (80, 24)

# Each screen, by the keys that reach it from Tonight (the keys screen over Agreements).
SCREENS = {
    "tonight": (),
    "care": ("c",),
    "gratitude": ("g",),
    "checkin_form": ("w",),
    "agreements": ("a",),
    "help": ("question_mark",),
    "keys": ("a", "f1"),
}


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_snapshot_at_80x24(name: str, evening: Couple, snap_compare) -> None:
    app = evening.app("alex")
    assert snap_compare(app, terminal_size=NARROW, run_before=goto(*SCREENS[name]))


@pytest.mark.parametrize("key", ["p", "h"])
def test_snapshot_practice_at_80x24(key: str, practice: Couple, snap_compare) -> None:
    assert snap_compare(practice.app("alex"), terminal_size=NARROW, run_before=goto(key))


def test_snapshot_checkin_side_by_side_at_80x24(evening: Couple, snap_compare) -> None:
    alex = evening.session("alex")
    alex.checkin(
        None,
        supported="Tea waiting when I got home late on Tuesday",
        attention="When we plan the weekend, I feel unheard; what would help is asking me first",
        energy=3,
        victory="Two calm evenings in a row",
    )
    evening.session("sam").sync()
    alex.sync()
    assert snap_compare(evening.app("alex"), terminal_size=NARROW, run_before=goto("w"))


def test_snapshot_talking_it_over_at_80x24(evening: Couple, snap_compare) -> None:
    """After the reveal: each guess beside the other's own word, the guide, how it went (kept
    for me), and next week's focus with the other suggestion beside it."""
    from .test_talk_tui import both_shared

    both_shared(evening)
    sam = evening.session("sam")
    sam.set_focus("A walk together on Saturday")
    sam.sync()
    sam.close()
    alex = evening.session("alex")
    alex.sync()
    alex.reflect("Slower than I feared; I felt heard")
    alex.set_focus("One slow evening, phones away")
    alex.close()
    assert snap_compare(evening.app("alex"), terminal_size=NARROW, run_before=goto("w", "3"))


def test_snapshot_settings_at_80x24(
    evening: Couple, snap_compare, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keychain, "keychain_available", lambda: False)

    async def run_before(pilot: Pilot) -> None:
        await goto("comma")(pilot)
        pilot.app.screen.query_one("#folder-path").update("~/Sync/us")  # type: ignore[attr-defined]
        pilot.app.screen.query_one("#safety-code").update(  # type: ignore[attr-defined]
            "12345 67890 12345 67890 12345 67890\n09876 54321 09876 54321 09876 54321"
        )
        await pilot.pause()

    assert snap_compare(evening.app("alex"), terminal_size=NARROW, run_before=run_before)


def test_snapshot_keys_at_100x32(evening: Couple, snap_compare) -> None:
    assert snap_compare(evening.app("alex"), terminal_size=SIZE, run_before=goto("a", "f1"))


# -- what the eye checks in the snapshots, checked on every screen ------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("size", [NARROW, SIZE, (160, 48)])
async def test_every_screen_shows_every_screens_key_and_the_status_whole(
    evening: Couple, size: tuple[int, int]
) -> None:
    app = evening.app("alex")
    async with app.run_test(size=size) as pilot:
        await opened(pilot)
        for destination in DESTINATIONS:
            await pilot.press(destination.key)
            await settle(pilot)
            nav, keys = text_of(app.screen.query_one(BottomBar)).split("\n")
            for other in DESTINATIONS:
                assert other.label in nav, (destination.mode, nav)
            assert not keys.rstrip().endswith("…"), (destination.mode, keys)
            assert len(nav.rstrip()) <= size[0]
            header = text_of(app.screen.query_one(AppHeader))
            assert header.rstrip().endswith("Up to date"), (destination.mode, header)
    app.close_session()


@pytest.mark.anyio
async def test_a_long_word_in_a_note_doesnt_fill_tonight(space: Couple) -> None:
    sam = space.session("sam")
    sam.add_gratitude("Thank you " + "so" * 990 + " much")
    sam.sync()
    sam.close()
    alex = space.session("alex")
    alex.sync()
    alex.close()
    app = space.app("alex")
    async with app.run_test(size=NARROW) as pilot:
        await opened(pilot)
        notes = app.screen.query_one(NewNotes)
        [row] = notes.rows
        assert row.text.startswith("Thank you sosososo") and "…" in row.text
        assert notes.region.height <= 6, notes.region
        assert app.screen.query_one(DueList).region.height >= 1
    app.close_session()


@pytest.mark.anyio
async def test_the_focus_leaves_a_field_once_it_is_sent(space: Couple) -> None:
    app = space.app("alex")
    async with app.run_test(size=NARROW) as pilot:
        await opened(pilot)
        await pilot.press("n")  # a quick note on Tonight
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await type_text(pilot, "Thank you for the tea")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, DueList)
        await pilot.press("a")  # the next key is a key again: Agreements
        await settle(pilot)
        await pilot.press("n")
        await type_text(pilot, "We pause when either of us asks")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, AgreementList)
        assert app.screen.query_one("#proposal", Input).value == ""
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, KeysScreen)
    app.close_session()
    alex = space.session("alex")
    try:
        assert [n.get("text") for n in alex.notes()] == ["Thank you for the tea"]
    finally:
        alex.close()
