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
    from textual import getters

    from companion.tui.protocol import CompanionAppType
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

    if TYPE_CHECKING:
        app = getters.app(CompanionAppType)

    class Read(Message):
        def __init__(self, view: MomentsView, turn: int = 0) -> None:
            super().__init__()
            self.view = view
            self.turn = turn  # the backend's turn it was read in

    class Failed(Message):
        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.view: MomentsView | None = None
        self._shown_turn = 0
        self.display = False
        # One read at a time, and one more if asked meanwhile: a read is never cancelled
        # halfway (whoever waits for the app's workers would see it fail).
        self._reading = False
        self._again = False

    def on_mount(self) -> None:
        # a pause or an evening ends on the clock, not with a change: look again now and then
        self.set_interval(REREAD_SECONDS, self.reload)

    def reload(self) -> None:
        """Read the moments again (Tonight calls this whenever it reads its own data)."""
        if self.app.backend is None:
            return
        if self._reading:
            self._again = True
            return
        self._reading = True
        self._read()

    @work(thread=True, exclusive=False, exit_on_error=False, group="moments")
    def _read(self) -> None:
        from companion.tui.read.moments import moments

        backend = self.app.backend
        assert backend is not None, "read only once the space is open (see reload)"
        try:
            with backend.session() as session:
                view = moments(session)
                turn = backend.turns
        except Exception as exc:  # shown like every failed read, never swallowed
            self.post_message(self.Failed(exc))
            return
        self.post_message(self.Read(view, turn))

    def _done(self) -> None:
        self._reading = False
        if self._again:
            self._again = False
            self.reload()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        message.stop()
        self._done()
        self.app.show_error(message.error)

    @on(Read)
    def _show(self, message: Read) -> None:
        message.stop()
        self._done()
        self.show_view(message.view, message.turn)

    def show_view(self, view: MomentsView, turn: int) -> None:
        """Show moments read in the backend's `turn` (by the panel, or with Tonight's data),
        unless what is shown was read later."""
        if turn < self._shown_turn:
            return
        self._shown_turn = turn
        self.view = view
        self.update("\n".join(view.lines))
        self.display = bool(view.lines)
        self.screen.refresh_bindings()
