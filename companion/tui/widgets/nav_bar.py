"""The bottom of every screen: a row with each screen's key, then this screen's own keys.

The screens' keys take a row of their own because, with the keys of the screen itself, they
don't fit one footer row at 100 columns. The screen showing is marked, not hidden, so the
row stays put as a person moves around.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widget import Widget

from companion.tui.navigation import DESTINATIONS

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.geometry import Size
    from textual.screen import Screen


def nav_content(current: str | None, compact: bool = False) -> Content:
    """Each screen's key and name, a click on either going there as the key does.

    `compact` (a narrow terminal, 80 columns): a name that begins with its key shows the key
    as its own first letter, in the key's colour ("Tonight" for t), so every screen fits.
    """
    parts: list[Content] = []
    for destination in DESTINATIONS:
        style = "$text-accent bold underline" if destination.mode == current else ""
        key_style = "bold $footer-key-foreground"
        label = destination.label
        if compact and label[:1].lower() == destination.shown_key:
            item = Content.assemble((label[:1], key_style), Content.styled(label[1:], style))
            if style:
                item = item.stylize(style, 0, 1)
        else:
            key = Content.styled(destination.shown_key, key_style)
            item = Content.assemble(key, " ", Content.styled(label, style))
        parts.append(item.stylize(f"@click=app.go('{destination.mode}')"))
    return Content(" ").join(parts)


def keys_content(screen: Screen, width: int) -> Content:
    """The keys that work where the focus is, as Textual's compact Footer shows them (each
    a click away), and the command palette's key at the right end of `width` columns."""
    app = screen.app
    active = screen.active_bindings
    by_action: dict[str, list[tuple[Binding, bool]]] = {}
    for _node, binding, enabled, _tooltip in active.values():
        if binding.show:
            by_action.setdefault(binding.action, []).append((binding, enabled))
    parts: list[Content] = []
    for bindings in by_action.values():
        binding, enabled = bindings[0]
        item = Content.assemble(
            (app.get_key_display(binding), "bold $footer-key-foreground"),
            " ",
            (binding.description, "$footer-description-foreground"),
        )
        item = item.stylize(f"@click=app.simulate_key({binding.key!r})") if enabled else item
        parts.append(item.stylize("dim") if not enabled else item)
    keys = Content("  ").join(parts)
    palette = active.get(app.COMMAND_PALETTE_BINDING)
    if palette is None or not app.ENABLE_COMMAND_PALETTE:
        return keys
    _node, binding, _enabled, _tooltip = palette
    end = Content.assemble(
        "▏",
        (app.get_key_display(binding), "bold $footer-key-foreground"),
        " ",
        (binding.description, "$footer-description-foreground"),
    ).stylize(f"@click=app.simulate_key({binding.key!r})")
    gap = max(2, width - keys.cell_length - end.cell_length)
    return Content.assemble(keys, " " * gap, end)


class BottomBar(Widget):
    """Docked at the bottom: every screen's key on one line (the current one marked), then
    the keys that work here. One widget drawing both lines: Textual's Footer makes a widget of
    each key and builds them twice as a screen first shows, on the path to its first paint."""

    def __init__(self, current: str | None) -> None:
        super().__init__(id="bottom-bar")
        self.current = current
        # The screens' line (hidden on the help screen before unlocking: see hide_nav).
        self.show_nav = True
        self._nav = Content.assemble(" ", nav_content(current))
        self._compact_nav = Content.assemble(" ", nav_content(current, compact=True))
        # This screen's keys as last drawn, and at what width: Textual draws the bar several
        # times as a screen first shows, and the keys change only with the bindings.
        self._keys: tuple[int, Content] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self._keys = None
            self.refresh()

    def hide_nav(self) -> None:
        self.show_nav = False
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The screens' line and the keys' line, each cut to one line: two (one without the
        screens'). Said without drawing: drawing asks the widget's own region, and asked in
        the middle of a layout, that lays the whole screen out once more."""
        return 2 if self.show_nav else 1

    def render(self) -> Content:
        width = self.content_size.width
        if self._keys is None or self._keys[0] != width:
            self._keys = (width, keys_content(self.screen, width).truncate(width, ellipsis=True))
        keys = self._keys[1]
        if not self.show_nav:
            return keys
        nav = self._nav if self._nav.cell_length <= width else self._compact_nav
        return Content.assemble(nav.truncate(width), "\n", keys)
