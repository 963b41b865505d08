"""The top line of every screen: where you are, and whether your partner's changes flow.

One widget draws the line (the screen's title on the left, the sync status on the right):
it is on the way to every screen's first paint, where each widget costs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.style import Style
from textual.widget import Widget

if TYPE_CHECKING:
    from companion.tui.read.sync_state import SyncState

MARKS = {"ok": "●", "waiting": "◌", "offline": "◌", "problem": "▲"}
# The details behind the status are in Settings: a click on it goes there.
DETAILS = Style.from_meta({"@click": "app.go('settings')"})


def status_content(state: SyncState) -> Content:
    """ "Up to date", "N changes waiting (…)", or "A problem to look at", marked."""
    color = "$text-success" if state.kind == "ok" else "$text-warning"
    status = Content.assemble((MARKS[state.kind], "bold"), " ", state.text)
    return status.stylize_before(color).stylize(DETAILS)


class AppHeader(Widget):
    """The screen's title and subtitle on the left, the app's SyncState on the right."""

    def on_mount(self) -> None:
        self.auto_links = False  # the status keeps its colour: it is clickable, not a link
        self.watch(self.screen, "title", self._retitled)
        self.watch(self.screen, "sub_title", self._retitled)
        self.watch(self.app, "sync_state", self._sync_state_changed)

    def _retitled(self) -> None:
        self.refresh()

    def _sync_state_changed(self, state: SyncState | None) -> None:
        if state is None:
            self.tooltip = None
        else:
            last = f"{state.last_sync:%a %d %b, %H:%M}" if state.last_sync else "not yet"
            self.tooltip = (
                f"Shared folder: {state.shared_folder}\nLast sync: {last}\nDetails: Settings (,)"
            )
        self.refresh()

    def render(self) -> Content:
        screen = self.screen
        title = Content.styled(screen.title or "", "bold")
        if screen.sub_title:
            title = Content.assemble(title, " — ", (screen.sub_title, "$text-muted"))
        state = getattr(self.app, "sync_state", None)
        if state is None:
            return title
        status = status_content(state)
        width = self.content_size.width
        # the status stays whole; a long subtitle gives way (ellipsised) on a narrow terminal
        room = max(len(screen.title or ""), width - status.cell_length - 2)
        if title.cell_length > room:
            title = title.truncate(room, ellipsis=True)
        gap = max(2, width - title.cell_length - status.cell_length)
        return Content.assemble(title, " " * gap, status)
