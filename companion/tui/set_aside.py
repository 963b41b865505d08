"""What a screen gives back while another is shown: the lines Textual drew for it.

Screens are kept once built, so that coming back to one is a switch and not a rebuild. Left
alone, each would also keep every line drawn for it (Textual 8.2.8 caches each widget's
rendered strips, with several small caches per strip): about half of what a screen kept
aside holds, and as many objects for the garbage collector to walk through at every full
collection. They are drawn again on the way back, which costs a little of one frame.
"""

from __future__ import annotations

from typing import Any

from textual.geometry import NULL_SIZE
from textual.screen import Screen
from textual.widget import Widget, _RenderCache


def drop_drawn_lines(screen: Screen[Any]) -> None:
    """Forget what was drawn for `screen` and its widgets; each is drawn afresh when shown."""
    for widget in screen.walk_children(Widget, with_self=True):
        widget._styles_cache.clear()
        if widget._render_cache.lines:
            widget._render_cache = _RenderCache(NULL_SIZE, [])
            # drawn again at the next paint, not read from the (now empty) cache
            widget._dirty_regions.add(widget.size.region)
    screen._compositor.clear()
