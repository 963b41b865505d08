"""The bottom of every screen: a row with each screen's key, then Textual's Footer.

The screens' keys take a row of their own because, with the keys of the screen itself, they
don't fit one footer row at 100 columns. The screen showing is marked, not hidden, so the
row stays put as a person moves around.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Static

from companion.tui.memory import drop_stale_watchers
from companion.tui.navigation import DESTINATIONS


def nav_content(current: str | None) -> Content:
    """Each screen's key and name, a click on either going there as the key does."""
    parts: list[Content] = []
    for destination in DESTINATIONS:
        style = "$text-accent bold underline" if destination.mode == current else ""
        key = Content.styled(destination.shown_key, "bold $footer-key-foreground")
        label = Content.styled(destination.label, style)
        item = Content.assemble(key, " ", label)
        parts.append(item.stylize(f"@click=app.go('{destination.mode}')"))
    return Content(" ").join(parts)


class NavBar(Static):
    """Every screen of the app by its key: the footer's first row (one widget, not nine)."""

    def __init__(self, current: str | None) -> None:
        super().__init__(nav_content(current), id="nav-bar")
        self.current = current


class KeysFooter(Footer):
    """Textual's Footer, without its leak.

    Each time the keys change it builds new FooterKeys, each bound to the footer's `compact`
    (data_bind). Textual drops such a binding only when `compact` changes, which it never
    does here, so every FooterKey ever shown would stay in memory while the app runs (it
    runs all evening). Bindings of keys no longer on screen are dropped before each rebuild.
    """

    async def recompose(self) -> None:
        drop_stale_watchers(self)
        await super().recompose()


class BottomBar(Vertical):
    """The screens' keys over the Footer with this screen's own keys, docked at the bottom."""

    def __init__(self, current: str | None) -> None:
        super().__init__(id="bottom-bar")
        self.current = current

    def compose(self) -> ComposeResult:
        yield NavBar(self.current)
        yield KeysFooter(compact=True)
