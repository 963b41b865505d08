"""The top line of every screen: where you are, and whether your partner's changes flow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

if TYPE_CHECKING:
    from companion.tui.data import SyncState

MARKS = {"ok": "●", "waiting": "◌", "offline": "◌", "problem": "▲"}


class SyncStatus(Static):
    """ "Up to date", "N changes waiting (…)", or "A problem to look at": the app's SyncState.

    Clicking it asks the app to show the details (in Settings).
    """

    class Clicked(Message):
        """The person wants the details behind the status line."""

    def on_mount(self) -> None:
        self.watch(self.app, "sync_state", self._show)

    def _show(self, state: SyncState | None) -> None:
        self.display = state is not None
        if state is None:
            return
        kind = state.kind
        for name in MARKS:
            self.set_class(name == kind, f"-{name}")
        self.update(Content.assemble((MARKS[kind], "bold"), " ", state.text))
        last = f"{state.last_sync:%a %d %b, %H:%M}" if state.last_sync else "not yet"
        self.tooltip = (
            f"Shared folder: {state.shared_folder}\nLast sync: {last}\nDetails: Settings (,)"
        )

    def on_click(self) -> None:
        self.post_message(self.Clicked())


class AppHeader(Horizontal):
    """The screen's title and subtitle on the left, the sync status on the right."""

    def compose(self) -> ComposeResult:
        yield Static(id="header-title", markup=False)
        yield SyncStatus(id="sync-status")

    def on_mount(self) -> None:
        self.watch(self.screen, "title", self._retitle)
        self.watch(self.screen, "sub_title", self._retitle)

    def _retitle(self) -> None:
        screen = self.screen
        title = Content.styled(screen.title or "", "bold")
        if screen.sub_title:
            title = Content.assemble(title, " — ", (screen.sub_title, "$text-muted"))
        self.query_one("#header-title", Static).update(title)
