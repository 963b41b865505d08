"""The shape every screen of the practice shares: read off the event loop, then show."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual import events, on, work
from textual._context import NoActiveAppError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input
from textual.worker import get_current_worker

from companion.tui.backend import Backend
from companion.tui.widgets.header import AppHeader
from companion.tui.widgets.nav_bar import BottomBar

if TYPE_CHECKING:
    from textual import getters

    from companion.service import Session
    from companion.tui.protocol import CompanionAppType

    Change = Callable[[Session], str | None]


def is_text_field(widget: Widget | None) -> bool:
    """Whether the focus is where typing goes (single-key shortcuts would be typed there).

    TextArea by name: importing it only for this check would slow every start.
    """
    return isinstance(widget, Input) or any(
        cls.__name__ == "TextArea" for cls in type(widget).__mro__
    )


class Clearable(Protocol):
    """A field that empties itself: an Input or a TextArea."""

    def clear(self) -> object: ...


def _text_of(field: Clearable) -> str:
    """What a field holds (an Input's value, a TextArea's text), without importing TextArea
    here: the first paint doesn't need it."""
    value = getattr(field, "value", None)
    return value if isinstance(value, str) else str(getattr(field, "text", ""))


def _set_text(field: Clearable, text: str) -> None:
    setattr(field, "value" if hasattr(field, "value") else "text", text)


class PracticeScreen(Screen[None]):
    """A screen that loads its data in a worker thread and makes changes the same way.

    Subclasses implement `compose_body` (between the header and the footer), `read` (in the
    worker, holding the session) and `show` (on the event loop, with what `read` returned).
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave_field", "Leave field")]
    # The app's mode that shows this screen (see navigation.DESTINATIONS).
    MODE: ClassVar[str] = ""
    # Text fields whose unsent text is kept by the app as well as by the screen.
    DRAFTS: ClassVar[tuple[str, ...]] = ()
    # Whether its data may be read while it is built ahead, off screen (tui/preparing.py):
    # not where reading has an effect of its own (Gratitude marks the notes it shows read).
    READ_AHEAD: ClassVar[bool] = True
    # Whether it shows which notes are new: then marking notes read makes its data stale.
    SHOWS_READ: ClassVar[bool] = False

    class Loaded(Message):
        """What `read` returned, the backend's freshness it was read at (None: unknown) and
        the turn it was read in (an older read never covers a newer one)."""

        def __init__(
            self, data: Any, fresh: tuple[object, ...] | None = None, turn: int = 0
        ) -> None:
            super().__init__()
            self.data = data
            self.fresh = fresh
            self.turn = turn

    class Changed(Message):
        """A change went through; `say` is a quiet confirmation, `then` runs afterwards;
        `loaded`: the screen's data read right after it, in the same turn (None: read again)."""

        def __init__(
            self,
            say: str | None,
            then: Callable[[], object] | None = None,
            loaded: PracticeScreen.Loaded | None = None,
        ) -> None:
            super().__init__()
            self.say = say
            self.then = then
            self.loaded = loaded

    class Failed(Message):
        def __init__(self, error: Exception, undo: Callable[[], object] | None = None) -> None:
            super().__init__()
            self.error = error
            self.undo = undo

    if TYPE_CHECKING:
        app = getters.app(CompanionAppType)

    def __init__(self) -> None:
        super().__init__()
        # Built with the stylesheet as it stands: a new screen's count of style updates starts
        # at -1, and at that Textual parses and applies every stylesheet again as it shows.
        with contextlib.suppress(NoActiveAppError):  # made outside an app: nothing to match
            self._css_update_count = self.app._css_update_count
        # The backend's freshness when the data shown was read (see on_screen_resume).
        self._fresh: tuple[object, ...] | None = None
        # The backend turn the data shown was read in.
        self._shown_turn = 0
        # Whether a read is on its way.
        self.reading = False

    @property
    def backend(self) -> Backend:
        backend = self.app.backend
        assert backend is not None, "practice screens are shown only once unlocked"
        return backend

    def compose(self) -> ComposeResult:
        yield AppHeader(id="app-header")
        yield from self.compose_body()
        yield BottomBar(self.MODE)

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    # Whether data has been asked for (or handed over): the first resume, which Textual sends
    # as the screen first shows, then needn't ask again.
    _asked = False
    _resumed = False

    def on_screen_resume(self) -> None:
        """Shown (screens are kept once built): read again only if something changed since
        the data on it was read, so that coming back to a screen costs no read."""
        first, self._resumed = not self._resumed, True
        backend = self.app.backend
        fresh = self._fresh
        if fresh is not None and backend and backend.freshness(self.SHOWS_READ) == fresh:
            return
        if first and self._asked and self._fresh is None:
            return  # handed over (show_data), or its first read is on its way
        self.reload()

    @on(events.Mount)
    def _read_ahead(self) -> None:
        """Built ahead, off screen (tui/preparing.py): its data is read now, not at its key."""
        if self.READ_AHEAD and self.app.screen is not self and not self._asked:
            self.reload()

    def on_screen_suspend(self) -> None:
        """Another screen is shown: this one is kept, without the lines drawn for it."""
        from companion.tui.set_aside import drop_drawn_lines

        drop_drawn_lines(self)

    def show_data(self, data: Any) -> None:
        """Show data read elsewhere (at start-up, by the helper) as if this screen read it."""
        self._asked = True
        self.post_message(self.Loaded(data))

    @on(events.Mount)
    def _restore_drafts(self) -> None:
        for field_id in self.DRAFTS:
            text = self.app.drafts.get((self.MODE, field_id))
            if text:
                field = self.query_one(f"#{field_id}")
                if isinstance(field, Input):
                    field.value = text
                else:  # a TextArea
                    field.load_text(text)  # type: ignore[attr-defined]

    def keep_draft(self, field_id: str, text: str) -> None:
        """Remember what is typed in a field until it is sent (or emptied)."""
        if text.strip():
            self.app.drafts[(self.MODE, field_id)] = text
        else:
            self.app.drafts.pop((self.MODE, field_id), None)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id in self.DRAFTS:
            self.keep_draft(event.input.id, event.value)

    def reload(self) -> None:
        """Read the screen's data again (after a change, or when the partner's arrive)."""
        if self.app.backend is not None:
            self._asked = self.reading = True
            self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self) -> None:
        worker = get_current_worker()
        backend = self.backend
        try:
            with backend.session() as session:
                loaded = self._read_in_turn(session)
        except Exception as exc:
            self.post_message(self.Failed(exc))
            return
        if not worker.is_cancelled:
            self.post_message(loaded)

    def _read_in_turn(self, session: Session) -> PracticeScreen.Loaded:
        """The screen's data, read within a turn of the backend's (no change comes between
        the read and its freshness)."""
        data = self.read(session)
        backend = self.backend
        return self.Loaded(data, backend.freshness(self.SHOWS_READ, in_turn=True), backend.turns)

    def read(self, session: Session) -> Any:
        raise NotImplementedError

    async def show(self, data: Any) -> None:
        raise NotImplementedError

    def send_from(self, field: Clearable, work: Change) -> None:
        """Make the change a field's words ask for (`work` holds them): the field is emptied
        at once, so the next note can begin while this one saves; once it is saved, the
        focus goes back to the screen's list (the next key a key again, not more text) unless
        the next one has begun; if it can't be saved, the words come back to the field."""
        sent = _text_of(field)
        field.clear()

        def then() -> None:
            if not _text_of(field):
                self.focus_home()

        def undo() -> None:
            if not _text_of(field):
                _set_text(field, sent)

        self.change(work, then, undo)

    def change(
        self,
        work: Change,
        then: Callable[[], object] | None = None,
        undo: Callable[[], object] | None = None,
    ) -> None:
        """Make a change in a worker; then reload, say what happened, and run `then` (or,
        if it can't be made, `undo`)."""
        self._change(work, self.backend.ticket(), then, undo, self.is_current)

    # Changes are never exclusive: cancelling one that hasn't started would lose what the
    # person did. The backend's tickets keep them in order instead.
    @work(thread=True, exclusive=False, exit_on_error=False, group="change")
    def _change(
        self,
        work: Change,
        ticket: int,
        then: Callable[[], object] | None,
        undo: Callable[[], object] | None,
        shown: bool,
    ) -> None:
        loaded = None
        try:
            with self.backend.session(ticket) as session:
                say = work(session)
                # The screen on show reads its data in the change's own turn: its result is
                # on screen without a second trip through a worker.
                if shown:
                    loaded = self._read_after_change(session)
        except Exception as exc:
            self.post_message(self.Failed(exc, undo))
            return
        self.post_message(self.Changed(say, then, loaded))

    def _read_after_change(self, session: Session) -> PracticeScreen.Loaded | None:
        """The screen's data after a change; None if reading failed (a read of its own
        follows, and says why)."""
        try:
            return self._read_in_turn(session)
        except Exception:
            return None

    def mark_shown(self, read: list[str], stamp: str = "") -> None:
        """The notes `read` (ids), and what arrived up to `stamp`, have been on screen."""
        self._mark_shown(read, stamp)

    @work(thread=True, exclusive=False, exit_on_error=False, group="seen")
    def _mark_shown(self, read: list[str], stamp: str) -> None:
        from companion.tui import changes

        try:
            with self.backend.session(quiet=True) as session:
                changes.mark_shown(session, stamp, read)
        except Exception as exc:
            self.post_message(self.Failed(exc))

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        if message.turn and message.turn < self._shown_turn:
            return  # read before what is shown already
        self._shown_turn = message.turn
        self._fresh = message.fresh
        self.reading = False
        await self.show(message.data)

    @on(Changed)
    async def _changed(self, message: Changed) -> None:
        if message.say:
            self.notify(message.say, timeout=3, markup=False)
        if message.then is not None:
            message.then()
        if message.loaded is None:
            self.reload()
        else:
            await self._loaded(message.loaded)

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.reading = False
        if message.undo is not None:
            message.undo()
        self.app.show_error(message.error)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_field":
            return is_text_field(self.focused)
        return True

    def action_leave_field(self) -> None:
        """Escape from a text field, so that single-key shortcuts work again."""
        if is_text_field(self.focused):
            self.focus_home()

    def focus_home(self) -> None:
        """Put the focus where this screen's main list is."""
        self.set_focus(None)
