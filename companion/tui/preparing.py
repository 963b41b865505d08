"""The practice's screens built ahead, one at a time, in quiet moments after Tonight shows.

A screen's first showing used to build its widgets and read its data as the person pressed
its key: up to several times a bare screen switch at ten years. Screens are kept once built
(screens/base.py), so each is built once, here, a little after start-up, off screen: its
widgets composed and mounted, its data read in a worker and shown (except where reading
has an effect of its own, `READ_AHEAD`). Pressing its key then shows a screen already there.
Not before the first paint, and not all at once: a key pressed meanwhile waits for one
screen's building at most.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from companion.tui.navigation import BY_MODE, DESTINATIONS

if TYPE_CHECKING:
    from textual.app import App

# Seconds between two screens built: the event loop answers keys in between.
PAUSE = 0.15
# In the order people go to them most.
AHEAD = tuple(d.mode for d in DESTINATIONS if d.mode not in ("tonight", "help"))


class Preparer:
    """Builds each screen of `AHEAD` not built yet, one per quiet moment."""

    def __init__(self, app: App[None]) -> None:
        self.app = app
        self._waiting = list(AHEAD)
        self.done = False

    def start(self) -> None:
        self.app.set_timer(PAUSE, self._next)

    def _next(self) -> None:
        app = self.app
        if not app.is_running:  # closing: its screens are being let go, not made
            return
        while self._waiting:
            mode = self._waiting.pop(0)
            if mode not in app._screen_stacks:  # not shown yet (a key may have been faster)
                self._build(mode)
                break
        if self._waiting:
            app.set_timer(PAUSE, self._next)
        else:
            self.done = True

    def _build(self, mode: str) -> None:
        """What App.switch_mode does for a mode's first screen, short of showing it (Textual
        8.2.8 has no public way to mount a screen that isn't shown)."""
        app = self.app
        screen = BY_MODE[mode].make()
        app._screen_stacks[mode] = [screen]
        app._load_screen_css(screen)  # the stylesheets are in already (styles_ahead.py)
        app._get_screen(screen)  # registered: composed and mounted off screen
