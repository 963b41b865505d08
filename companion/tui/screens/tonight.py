"""Tonight: today's care, what arrived from the partner since I last looked, a quick thank-you."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, ListItem, Static

from companion.tui import changes
from companion.tui import tonight_data as data
from companion.tui.screens.base import PracticeScreen
from companion.tui.widgets.due_list import DueList
from companion.tui.widgets.note_list import NoteItem, NoteList
from companion.tui.widgets.record_list import EmptyItem

if TYPE_CHECKING:
    from companion.service import Session

NO_NEW_NOTES = "No new notes since you last looked."


class TonightScreen(PracticeScreen):
    """Home: what to do tonight, and what arrived."""

    TITLE = "Tonight"
    MODE = "tonight"
    # Focused as the screen is built: focusing it afterwards would restyle the screen twice.
    AUTO_FOCUS = "#due"
    # styles/tonight.tcss is loaded with the app's stylesheet (CompanionApp.CSS_PATH).
    BINDINGS: ClassVar[list[BindingType]] = [Binding("n", "write_note", "Write a note", show=False)]

    def __init__(self, initial: data.Tonight | None = None) -> None:
        """`initial`: Tonight's data read already (at start-up): built in, not loaded."""
        super().__init__()
        self._initial = initial
        if initial is not None:
            self._asked = True

    def compose_body(self) -> ComposeResult:
        initial = self._initial
        with VerticalScroll(id="tonight-body"):
            yield Static(id="banner", markup=False)
            yield Static("Tonight's care", classes="section-title")
            yield DueList(
                initial.due if initial else (),
                self._nothing_due(initial) if initial else "",
                id="due",
            )
            yield Static("New notes", id="notes-title", classes="section-title", markup=False)
            yield Static(id="landed", markup=False)
            yield NoteList(*(self._note_items(initial) if initial else ()), id="new-notes")
            yield Static(id="more-notes", classes="hint", markup=False)
        with Vertical(id="quick-note"):
            yield Static(id="quick-note-label", markup=False)
            yield Input(id="note-input", placeholder="What did they do, and how did it land?")

    def on_mount(self) -> None:
        initial, self._initial = self._initial, None
        if initial is not None:
            self._fill(initial)
            self.call_after_refresh(self._seen, initial)
        elif self.app.backend is None:  # the space is still opening (or being unlocked)
            banner = self.query_one("#banner", Static)
            banner.update("Opening your space…")
            banner.display = True

    def focus_home(self) -> None:
        self.query_one(DueList).focus()

    def read(self, session: Session) -> data.Tonight:
        return data.tonight(session, self.backend.seen_since(session))

    @staticmethod
    def _nothing_due(tonight: data.Tonight) -> str:
        if tonight.has_actions:
            return "Nothing is due tonight. Rest is part of the practice too."
        return (
            "You haven't taken on any care actions yet. "
            f"Press c to choose from {tonight.people.other}'s care menu."
        )

    @staticmethod
    def _note_items(tonight: data.Tonight) -> list[ListItem]:
        if not tonight.notes:
            return [EmptyItem(NO_NEW_NOTES)]
        return [NoteItem(row, received=True) for row in tonight.notes]

    async def show(self, tonight: data.Tonight) -> None:
        self.query_one(DueList).set_rows(tonight.due, self._nothing_due(tonight))
        await self.query_one(NoteList).replace(
            [NoteItem(row, received=True) for row in tonight.notes], NO_NEW_NOTES
        )
        self._fill(tonight)
        self.call_after_refresh(self._seen, tonight)

    def _fill(self, tonight: data.Tonight) -> None:
        """Everything but the two lists."""
        who = tonight.people
        self.sub_title = f"{tonight.day:%A} {tonight.day.day} {tonight.day:%B}"
        banner = self.query_one("#banner", Static)
        banner.update(tonight.banner or "")
        banner.display = tonight.banner is not None
        self.query_one("#notes-title", Static).update(f"New from {who.other}")
        landed = self.query_one("#landed", Static)
        landed.update("\n".join(f"♥ {line}" for line in tonight.landed))
        landed.display = bool(tonight.landed)
        more = self.query_one("#more-notes", Static)
        more.update(f"…and {tonight.more_notes} more in Gratitude (press g).")
        more.display = tonight.more_notes > 0
        label = self.query_one("#quick-note-label", Static)
        note_input = self.query_one("#note-input", Input)
        if who.partner:
            label.update(f"A quick note of thanks to {who.partner}  (Enter sends it)")
            note_input.disabled = False
        else:
            label.update("Notes of thanks open up once your partner has joined this space.")
            note_input.disabled = True

    def _seen(self, tonight: data.Tonight) -> None:
        """Tonight has been on screen: the notes it showed are read, and what arrived is
        no longer new on later runs. Written after the paint, so that it never delays it."""
        self.app.tonight_painted()
        stamp = tonight.seen_stamp
        if stamp <= self.backend.marked_seen:
            stamp = ""
        else:
            self.backend.marked_seen = stamp
        read = tonight.to_mark_read
        if stamp or read:
            self._mark_seen(stamp, read)

    @work(thread=True, exclusive=False, exit_on_error=False, group="seen")
    def _mark_seen(self, stamp: str, read: list[str]) -> None:
        try:
            with self.backend.session() as session:
                changes.mark_shown(session, stamp, read)
        except Exception as exc:
            self.post_message(self.Failed(exc))

    @on(DueList.Marked)
    def _marked(self, event: DueList.Marked) -> None:
        self.change(partial(changes.tick, action_id=event.action_id, status=event.status))

    @on(NoteList.Landed)
    def _landed(self, event: NoteList.Landed) -> None:
        self.change(partial(changes.mark_landed, note_id=event.note_id))

    @on(Input.Submitted, "#note-input")
    def _send(self, event: Input.Submitted) -> None:
        self.change(partial(changes.send_note, text=event.value), then=event.input.clear)

    def action_write_note(self) -> None:
        self.query_one("#note-input", Input).focus()
