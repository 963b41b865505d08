"""Approving a waiting device from Settings, as a person would: the new device shows its
code there, and typing it in Settings on another device of the same partner confirms it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from companion.service import join_space
from companion.tui.app import CompanionApp

from .test_tui import (  # noqa: F401 (fixtures: space, the pinned clock, the light KDF)
    PASSPHRASE,
    SIZE,
    Couple,
    anyio_backend,
    light_kdf,
    open_settings,
    pinned_clock,
    settle,
    space,
    type_text,
)

pytestmark = pytest.mark.anyio


async def reopen_settings(pilot: Pilot) -> Screen:
    """Tonight, then Settings again: it reads what the session holds now."""
    await pilot.press("t")
    await settle(pilot)
    await pilot.press("comma")
    await settle(pilot)
    return pilot.app.screen


def visible_text(app: CompanionApp, selector: str) -> str:
    widget = app.screen.query_one(selector)
    return str(widget.render()) if widget.display else ""


async def test_settings_shows_this_devices_code_and_approves_a_waiting_one(
    space: Couple,  # noqa: F811
    tmp_path: Path,
) -> None:
    laptop = tmp_path / "home-alex-laptop"
    joined = join_space(laptop, space.shared, "Alex", PASSPHRASE)
    code = joined.my_code()
    joined.close()
    # the new device shows its own code in Settings, while nothing confirms it
    app = CompanionApp(home=laptop, passphrase=PASSPHRASE, sync_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot)
        assert code in visible_text(app, "#my-code")
        assert not app.screen.query_one("#approve-row").display
        assert "once this device is confirmed" in visible_text(app, "#safety-code")
    # Alex's first device lists it as waiting, and approves it by the typed code
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        with app.backend.session() as session:
            session.sync()  # the new device's files, read now rather than by the timer
        screen = await reopen_settings(pilot)
        waiting = visible_text(app, "#waiting-devices")
        assert "Alex's" in waiting and "·" in waiting, waiting
        assert "1 waiting for confirmation" in visible_text(app, "#devices-note")
        assert not visible_text(app, "#my-code")
        screen.query_one("#approve-code").focus()
        await type_text(pilot, "12345-67890-1234-5678")  # a wrong code is refused, kindly
        await pilot.press("enter")
        await settle(pilot)
        with app.backend.session() as session:
            assert {d.state for d in session.devices()} != {"this device", "trusted"}
        screen.query_one("#approve-code").focus()
        await type_text(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        with app.backend.session() as session:
            assert {d.state for d in session.devices()} == {"this device", "trusted"}
        await settle(pilot)
        assert not visible_text(app, "#waiting-devices")
    # the new device, once it syncs, counts itself confirmed: its code is no longer shown
    app = CompanionApp(home=laptop, passphrase=PASSPHRASE, sync_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot)
        with app.backend.session() as session:
            session.sync()
            assert session.is_confirmed()
        await reopen_settings(pilot)
        assert not visible_text(app, "#my-code")
