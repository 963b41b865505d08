"""In a browser tab (`companion serve`, textual-serve's web driver) the app tells how to
leave truthfully: close the tab, since ctrl+q may reach the browser first."""

from __future__ import annotations

import pytest
from textual.drivers.headless_driver import HeadlessDriver

from companion.tui.screens.help import HelpScreen
from companion.tui.screens.keys import KeysScreen

from .test_tui import (
    SIZE,
    Couple,
    anyio_backend,
    light_kdf,
    opened,
    pinned_clock,
    settle,
    space,
    text_of,
)

__all__ = ["anyio_backend", "light_kdf", "pinned_clock", "space"]

pytestmark = pytest.mark.anyio


async def _how_to_leave(space: Couple) -> tuple[str, str]:
    """What the help page and the keys (F1) say about leaving."""
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        keys = text_of(app.screen.query_one("#keys-list Static"))
        await pilot.press("escape")
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        return text_of(app.screen.query_one("#help-text")), keys


async def test_in_a_terminal_ctrl_q_quits(space: Couple) -> None:
    shown, keys = await _how_to_leave(space)
    assert "ctrl+q quit" in " ".join(shown.split())
    assert "^q  Quit" in keys and "browser" not in shown


async def test_in_a_browser_tab_closing_the_tab_leaves(
    space: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the web driver textual-serve starts says it is one; the headless driver, as it
    monkeypatch.setattr(HeadlessDriver, "is_web", property(lambda _self: True))
    shown, keys = await _how_to_leave(space)
    flat = " ".join(shown.split())
    assert "close this browser tab to leave" in flat and "ctrl+q quit" not in flat
    assert "Close this tab to leave" in keys and "Quit" not in keys
