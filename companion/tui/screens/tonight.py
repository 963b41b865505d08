"""Tonight: today's care, what arrived from the partner since I last looked, a quick thank-you."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static

from companion.service import Session
from companion.tui import changes, data
from companion.tui.screens.base import PracticeScreen
from companion.tui.widgets.due_list import DueItem, DueList
from companion.tui.widgets.note_list import NoteItem, NoteList


class TonightScreen(PracticeScreen):
    """Home: what to do tonight, and what arrived."""

    TITLE = "Tonight"
    MODE = "tonight"
    # styles/tonight.tcss is loaded with the app's stylesheet (CompanionApp.CSS_PATH).
    BINDINGS: ClassVar[list[BindingType]] = [Binding("n", "write_note", "Write a note", show=False)]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="tonight-body"):
            yield Static(id="banner", markup=False)
            yield Static("Tonight's care", classes="section-title")
            yield DueList(id="due")
            yield Static("New notes", id="notes-title", classes="section-title", markup=False)
            yield Static(id="landed", markup=False)
            yield NoteList(id="new-notes")
            yield Static(id="more-notes", classes="hint", markup=False)
        with Vertical(id="quick-note"):
            yield Static(id="quick-note-label", markup=False)
            yield Input(id="note-input", placeholder="What did they do, and how did it land?")

    def on_mount(self) -> None:
        self.focus_home()

    def focus_home(self) -> None:
        self.query_one(DueList).focus()

    def read(self, session: Session) -> data.Tonight:
        tonight = data.tonight(session, self.backend.seen_since(session))
        if tonight.to_mark_read:
            session.mark_notes(tonight.to_mark_read, read=True)
        return tonight

    async def show(self, tonight: data.Tonight) -> None:
        who = tonight.people
        self.sub_title = f"{tonight.day:%A} {tonight.day.day} {tonight.day:%B}"
        banner = self.query_one("#banner", Static)
        banner.update(tonight.banner or "")
        banner.display = tonight.banner is not None
        if tonight.has_actions:
            empty = "Nothing is due tonight. Rest is part of the practice too."
        else:
            empty = (
                "You haven't taken on any care actions yet. "
                f"Press c to choose from {who.other}'s care menu."
            )
        await self.query_one(DueList).replace([DueItem(row) for row in tonight.due], empty)
        self.query_one("#notes-title", Static).update(f"New from {who.other}")
        landed = self.query_one("#landed", Static)
        landed.update("\n".join(f"♥ {line}" for line in tonight.landed))
        landed.display = bool(tonight.landed)
        await self.query_one(NoteList).replace(
            [NoteItem(row, received=True) for row in tonight.notes],
            "No new notes since you last looked.",
        )
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
        self.call_after_refresh(self._seen, tonight.seen_stamp)

    def _seen(self, stamp: str) -> None:
        """Tonight has been on screen: what it showed is no longer new on later runs."""
        self.app.tonight_painted()
        if stamp > self.backend.marked_seen:
            self.backend.marked_seen = stamp
            self._mark_seen(stamp)

    @work(thread=True, exclusive=False, exit_on_error=False, group="seen")
    def _mark_seen(self, stamp: str) -> None:
        try:
            with self.backend.session() as session:
                changes.mark_seen(session, stamp)
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
