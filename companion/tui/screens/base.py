"""The shape every screen of the practice shares: read off the event loop, then show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, TextArea
from textual.worker import get_current_worker

from companion.service import Session
from companion.tui.backend import Backend

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp

Change = Callable[[Session], str | None]


class PracticeScreen(Screen[None]):
    """A screen that loads its data in a worker thread and makes changes the same way.

    Subclasses implement `read` (in the worker, holding the session) and `show` (on the
    event loop, with what `read` returned).
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave_field", "Leave field")]

    @dataclass
    class Loaded(Message):
        data: Any

    @dataclass
    class Changed(Message):
        """A change went through; `say` is a quiet confirmation, `then` runs afterwards."""

        say: str | None
        then: Callable[[], None] | None = None

    @dataclass
    class Failed(Message):
        error: Exception

    if TYPE_CHECKING:

        @property
        def app(self) -> CompanionApp: ...

    @property
    def backend(self) -> Backend:
        backend = self.app.backend
        assert backend is not None, "practice screens are shown only once unlocked"
        return backend

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the screen's data again (after a change, or when the partner's arrive)."""
        if self.app.backend is not None:
            self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self) -> None:
        worker = get_current_worker()
        try:
            with self.backend.session() as session:
                data = self.read(session)
        except Exception as exc:
            self.post_message(self.Failed(exc))
            return
        if not worker.is_cancelled:
            self.post_message(self.Loaded(data))

    def read(self, session: Session) -> Any:
        raise NotImplementedError

    async def show(self, data: Any) -> None:
        raise NotImplementedError

    def change(self, work: Change, then: Callable[[], None] | None = None) -> None:
        """Make a change in a worker; then reload, say what happened, and run `then`."""
        self._change(work, self.backend.ticket(), then)

    # Changes are never exclusive: cancelling one that hasn't started would lose what the
    # person did. The backend's tickets keep them in order instead.
    @work(thread=True, exclusive=False, exit_on_error=False, group="change")
    def _change(self, work: Change, ticket: int, then: Callable[[], None] | None) -> None:
        try:
            with self.backend.session(ticket) as session:
                say = work(session)
        except Exception as exc:
            self.post_message(self.Failed(exc))
            return
        self.post_message(self.Changed(say, then))

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        await self.show(message.data)

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        if message.say:
            self.notify(message.say, timeout=3, markup=False)
        if message.then is not None:
            message.then()
        self.reload()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.app.show_error(message.error)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_field":
            return isinstance(self.focused, Input | TextArea)
        return True

    def action_leave_field(self) -> None:
        """Escape from a text field, so that single-key shortcuts work again."""
        if isinstance(self.focused, Input | TextArea):
            self.focus_home()

    def focus_home(self) -> None:
        """Put the focus where this screen's main list is."""
        self.set_focus(None)
