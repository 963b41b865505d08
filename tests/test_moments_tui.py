"""The evening's moments on Tonight, driven through Pilot: a pause called by key and seen by
the partner at once, support asked and answered from the care menu, the repair step after a
pause, a note with a second thought taken back; and Tonight with them at 80x24."""

# The fixtures come from test_tui.py, imported by name, so the tests name them again.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import time

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, OptionList
from textual.worker import WorkerCancelled

from companion.tui.app import CompanionApp
from companion.tui.widgets.moments import MomentsPanel
from tests import test_tui
from tests.test_tui import (  # noqa: F401 (fixtures)
    NOW,
    PASSPHRASE,
    SIZE,
    Couple,
    anyio_backend,
    evening,
    goto,
    light_kdf,
    notices,
    opened,
    pinned_clock,
    space,
    type_text,
)

pytestmark = pytest.mark.anyio
LATER = "2026-11-26T21:31:00"  # an hour after NOW: a pause called at NOW is over


async def settle(pilot: Pilot) -> None:
    """test_tui's settle, where a screen's read may be superseded by a newer one: closing a
    dialog reads the screen again, and so does the change it makes, which cancels the first
    read (a later read shows the same)."""
    for _ in range(20):
        try:
            await test_tui.settle(pilot)
            return
        except WorkerCancelled:
            continue
    raise AssertionError("reads kept being cancelled")


def panel_text(app: CompanionApp) -> str:
    return "\n".join(app.screen.query_one(MomentsPanel).view.lines)


def shown_keys(app: CompanionApp) -> set[str]:
    return {b.binding.key for b in app.screen.active_bindings.values() if b.binding.show}


async def opened_and_synced(pilot: Pilot) -> None:
    """Open, then one sync pass: what the partner wrote since is brought in."""
    await opened(pilot)
    pilot.app.sync_now()
    await settle(pilot)


async def wait_for(pilot: Pilot, check, what: str, limit: float = 10) -> None:
    began = time.monotonic()
    while not check():
        assert time.monotonic() - began < limit, f"{what} never showed"
        await pilot.pause(0.05)


async def test_a_pause_called_by_key_shows_on_the_partners_tonight_at_once(space: Couple) -> None:
    """Alex calls a pause in the app; Sam's open app shows it through the watcher."""
    sams_app = CompanionApp(home=space.sam, passphrase=PASSPHRASE, sync_interval=60)
    async with sams_app.run_test(size=SIZE) as sams:
        await opened(sams)
        await sams.pause(0.5)  # the watcher's first look at the folder
        app = space.app("alex")
        async with app.run_test(size=SIZE) as pilot:
            await opened(pilot)
            assert {"b", "i"} <= shown_keys(app)
            await pilot.press("b")
            await settle(pilot)
            length = app.screen.query_one("#pause-length", Input)
            assert length.value == "30"
            length.value = "10"  # too short: said kindly, nothing written
            await pilot.click("#commit")
            await settle(pilot)
            assert "You're taking a pause" not in panel_text(app)
            await pilot.press("b")
            await settle(pilot)
            app.screen.query_one("#pause-length", Input).value = "21:15"
            app.screen.query_one("#pause-note", Input).focus()
            await type_text(pilot, "A walk round the block")
            await pilot.press("enter")
            await settle(pilot)
            assert "You're taking a pause; back at 21:15." in panel_text(app)
        await wait_for(
            sams, lambda: "Alex is taking a pause; back at 21:15." in panel_text(sams_app), "pause"
        )
        assert "A walk round the block" in panel_text(sams_app)


async def test_a_too_short_pause_is_explained(space: Couple) -> None:
    messages: list[Message] = []
    app = space.app("alex")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await opened(pilot)
        await pilot.press("b")
        await settle(pilot)
        app.screen.query_one("#pause-length", Input).value = "5"
        await pilot.click("#commit")
        await settle(pilot)
    assert any("twenty minutes to settle" in n for n in notices(messages)), notices(messages)
    alex = space.session("alex")
    assert alex.pause_in_effect() is None


async def test_support_asked_by_key_and_answered_from_the_care_menu(space: Couple) -> None:
    sam = space.session("sam")
    sam.add_need("Make tea when I get home")
    sam.add_need("Sit with me; no advice")
    sam.close()
    app = space.app("sam")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("i")
        await settle(pilot)
        await type_text(pilot, "a hard call")
        await pilot.press("enter")
        await settle(pilot)
        assert "You asked for support tonight. “a hard call”" in panel_text(app)
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened_and_synced(pilot)
        assert "Sam could use support tonight. “a hard call”" in panel_text(app)
        assert app.screen.check_action("answer", ()) is True
        await pilot.press("o")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        await pilot.press("down", "enter")
        await settle(pilot)
        assert "You'll: “Sit with me; no advice”" in panel_text(app)
        assert app.screen.check_action("answer", ()) is False
    app = space.app("sam")
    async with app.run_test(size=SIZE) as pilot:
        await opened_and_synced(pilot)
        assert "Alex will: “Sit with me; no advice”" in panel_text(app)
        await pilot.press("i")  # all right now: taken back
        await settle(pilot)
        assert not app.screen.query_one(MomentsPanel).display


async def test_the_repair_step_comes_to_both_when_the_pause_is_over(
    space: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    alex = space.session("alex")
    alex.propose_agreement("We pause an argument when either of us says pause")
    alex.sync()
    sam = space.session("sam")
    sam.sync()
    sam.accept_agreement("pause")
    sam.close()
    alex.sync()
    alex.start_pause(minutes=30)
    alex.close()
    monkeypatch.setenv("COMPANION_NOW", LATER)
    app = space.app("sam")
    async with app.run_test(size=SIZE) as pilot:
        await opened_and_synced(pilot)
        assert "a gentle repair step (r)" in panel_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert "We pause an argument" in str(app.screen.query_one(".dialog-lead").render())
        await type_text(pilot, "Say I'm tired before it boils over")
        app.screen.query_one("#understood", Input).focus()
        await type_text(pilot, "You wanted a plan, not a verdict")
        await pilot.click("#share")
        await settle(pilot)
        assert app.screen.check_action("repair", ()) is False
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened_and_synced(pilot)
        text = panel_text(app)
        assert "Sam shared after the pause:" in text
        assert "You wanted a plan, not a verdict" in text
        assert "a gentle repair step (r)" in text  # Alex's own step still waits
        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, "Come back when I said I would")
        await pilot.click("#keep")
        await settle(pilot)
        assert "a gentle repair step (r)" not in panel_text(app)
    sam = space.session("sam")
    sam.sync()
    assert [r.author for r in sam.moments().shared] == [], "Sam's own share isn't listed to Sam"
    assert len(sam.recent_repairs()) == 1, "what Alex kept stays on Alex's device"


async def test_a_quick_note_gets_one_suggestion_and_can_be_taken_back(space: Couple) -> None:
    messages: list[Message] = []
    app = space.app("alex")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await opened(pilot)
        await pilot.press("n")
        await type_text(pilot, "Thanks!")
        await pilot.press("enter")
        await settle(pilot)
        assert any(n.startswith("Before it goes: A thought") for n in notices(messages))
        assert app.screen.query_one("#note-input", Input).value == "Thanks!", "not sent yet"
        await pilot.press("enter")  # sent as written
        await settle(pilot)
        assert app.screen.query_one("#note-input", Input).value == ""
        sam = space.session("sam")
        sam.sync()
        assert [n.get("text") for n in sam.notes()] == ["Thanks!"]
        await pilot.press("escape")
        await settle(pilot)
        assert "x takes it back" in panel_text(app)
        await pilot.press("x")
        await settle(pilot)
        assert "x takes it back" not in panel_text(app)
    sam.sync()
    assert sam.notes() == []
    sam.close()


def test_snapshot_tonight_with_a_pause_and_a_request_at_80x24(
    evening: Couple, snap_compare, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam = evening.session("sam")
    sam.ask_support("Long day; the report is due")
    sam.close()
    alex = evening.session("alex")
    alex.sync()
    alex.start_pause(until="21:15", note="A walk; I'll be back")
    alex.close()
    monkeypatch.setenv("COMPANION_HOME", str(evening.alex))
    assert NOW.endswith("20:30:00")
    assert snap_compare(evening.app("alex"), terminal_size=(80, 24), run_before=goto())


def test_snapshot_repair_step_at_80x24(
    space: Couple, snap_compare, monkeypatch: pytest.MonkeyPatch
) -> None:
    alex = space.session("alex")
    alex.start_pause(minutes=30)
    alex.close()
    monkeypatch.setenv("COMPANION_NOW", LATER)
    sam = space.session("sam")
    sam.sync()
    sam.close()

    async def run_before(pilot: Pilot) -> None:
        await goto("r")(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would be caught on or off
        await settle(pilot)

    assert snap_compare(space.app("sam"), terminal_size=(80, 24), run_before=run_before)


async def test_moments_read_off_the_event_loop(space: Couple) -> None:
    """The panel's read is a worker of its own; Tonight paints before it comes back."""
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        panel = app.screen.query_one(MomentsPanel)
        panel.reload()
        assert [w for w in app.workers if w.group == "moments"], "a worker reads the moments"
        await settle(pilot)
        await asyncio.sleep(0)
        assert panel.view is not None and panel.view.lines == []


async def test_the_palette_offers_a_pause_and_asking_for_support(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("g")
        await settle(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"I need a pause", "I could use support tonight"} <= set(commands)
        commands["I could use support tonight"].callback()
        await settle(pilot)
        assert app.current_mode == "tonight"
        assert app.screen.query_one("#word", Input), "the request's dialog is open"
