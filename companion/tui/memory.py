"""Giving memory back: the app runs all evening, and Textual 8.2.8 holds on to gone widgets.

Two ways it does (both bounded by what was shown, but together they kept every screen ever
visited): a widget that watches another node's reactive (`DOMNode.watch`, `data_bind`) stays
in that node's watcher list until the value next changes; and StylesCache.get_inner_outer is
an lru_cache on a method, so it keeps the render caches of up to 1024 gone widgets alive.
"""

from __future__ import annotations

import gc

from textual._styles_cache import StylesCache
from textual.dom import DOMNode


def drop_stale_watchers(node: DOMNode) -> None:
    """Forget the watchers of `node` whose widget is no longer on any screen."""
    watchers: dict[str, list] = getattr(node, "__watchers", {})  # Textual's own name
    for entries in watchers.values():
        entries[:] = [(owner, callback) for owner, callback in entries if owner.is_attached]


def collect(app: DOMNode) -> None:
    """After a screen has been let go: drop what still points at its widgets, then collect
    (widgets hold reference cycles, so only a full collection frees them)."""
    drop_stale_watchers(app)
    StylesCache.get_inner_outer.cache_clear()
    gc.collect()
