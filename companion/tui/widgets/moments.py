"""The evening's moments on Tonight: a pause, a request for support, a repair step waiting.

Self-contained: it reads its own data in a worker (tui/read/moments.py) whenever Tonight
reloads, and hides itself on an evening without any.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.widgets import Static

if TYPE_CHECKING:
    from companion.tui.read.moments import MomentsView


# How often the panel reads again by itself, so a pause's end shows without a change.
REREAD_SECONDS = 30


class MomentsPanel(Static):
    """A few lines about this evening's pause, support and repair, read off the event loop."""

    DEFAULT_CSS = """
    MomentsPanel {
        margin: 1 1 0 1;
        padding: 0 1;
        border: round $secondary;
        height: auto;
    }
    """

    class Read(Message):
        def __init__(self, view: MomentsView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.view: MomentsView | None = None
        self.display = False

    def on_mount(self) -> None:
        # a pause or an evening ends on the clock, not with a change: look again now and then
        self.set_interval(REREAD_SECONDS, self.reload)

    def reload(self) -> None:
        """Read the moments again (Tonight calls this whenever it reads its own data)."""
        if getattr(self.app, "backend", None) is not None:
            self._read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="moments")
    def _read(self) -> None:
        from companion.tui.read.moments import moments

        try:
            with self.app.backend.session() as session:  # type: ignore[attr-defined]
                view = moments(session)
        except Exception as exc:  # shown like every failed read, never swallowed
            self.app.call_from_thread(self.app.show_error, exc)  # type: ignore[attr-defined]
            return
        self.post_message(self.Read(view))

    @on(Read)
    def _show(self, message: Read) -> None:
        message.stop()
        self.view = message.view
        self.update("\n".join(message.view.lines))
        self.display = bool(message.view.lines)
        self.screen.refresh_bindings()
