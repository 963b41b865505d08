"""Gratitude: write a specific note of thanks; read what arrived and mark what landed."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static, TextArea

from companion.service import Session
from companion.tui import changes
from companion.tui.read import gratitude as read_gratitude
from companion.tui.read.tonight import People
from companion.tui.resources import style_path
from companion.tui.screens.base import PracticeScreen
from companion.tui.second_thought import AGAIN, SecondThought
from companion.tui.widgets.note_list import NoteList


class GratitudeScreen(PracticeScreen):
    """Notes that name what felt supportive, and how it landed."""

    TITLE = "Gratitude"
    MODE = "gratitude"
    CSS_PATH = style_path("gratitude.tcss")
    DRAFTS = ("note-text",)
    SHOWS_READ = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "write", "Write a note"),
        Binding("ctrl+s", "send", "Send"),
        Binding("o", "older", "Older notes"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.people = People("you", None)
        # Notes shown each way; more on request (older notes are read month by month).
        self.limit = read_gratitude.NOTES_SHOWN
        self.more = False
        self.second_thought = SecondThought()
        # Notes to me shown unread (ids): marked read once this screen is on screen with them.
        self._unread: list[str] = []

    def compose_body(self) -> ComposeResult:
        with Vertical(id="compose"):
            yield Static(
                "A note of thanks", id="compose-title", classes="section-title", markup=False
            )
            yield TextArea(id="note-text", soft_wrap=True, show_line_numbers=False)
            with Horizontal(id="compose-foot"):
                yield Static(id="note-hint", markup=False)
                yield Button("Send", id="send", variant="primary", compact=True)
        with Horizontal(id="notes"):
            with Vertical(id="inbox-pane"):
                yield Static("Received", id="inbox-title", classes="section-title")
                with VerticalScroll(classes="notes-scroll"):
                    yield NoteList(received=True, id="inbox")
            with Vertical(id="sent-pane"):
                yield Static("Sent", classes="section-title")
                with VerticalScroll(classes="notes-scroll"):
                    yield NoteList(received=False, id="sent")

    def on_mount(self) -> None:
        self._hint()
        self.focus_home()

    def focus_home(self) -> None:
        self.query_one("#inbox", NoteList).focus()

    def read(self, session: Session) -> read_gratitude.Gratitude:
        return read_gratitude.gratitude(session, self.backend.seen_since(session), self.limit)

    async def show(self, notes: read_gratitude.Gratitude) -> None:
        who = notes.people
        if who != self.people or not self.sub_title:
            # Only when it differs: each of these lays the screen out again, which after a
            # change ('this landed') would cost as much as the list itself.
            self.people = who
            self.sub_title = "specific, and how it landed"
            self.query_one("#compose-title", Static).update(f"A note of thanks to {who.other}")
            prompt = f"What did {who.other} do, and how did it land for you?"
            self.query_one("#note-text", TextArea).placeholder = Content(prompt)
            self._hint()
        self.query_one("#inbox", NoteList).set_rows(notes.inbox, f"No notes from {who.other} yet.")
        self.query_one("#sent", NoteList).set_rows(
            notes.sent, "Nothing sent yet. Small and specific is plenty."
        )
        if notes.more != self.more:
            self.more = notes.more
            self.refresh_bindings()
        self._unread = notes.to_mark_read
        if self.is_current:
            self.call_after_refresh(self._mark_read)

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self._unread and not self.reading:
            self.call_after_refresh(self._mark_read)

    def _mark_read(self) -> None:
        """The notes shown have been on screen: they are read now (built ahead, off screen,
        they were not)."""
        if self.is_current and self._unread:
            unread, self._unread = self._unread, []
            self.mark_shown(unread)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "older":
            return self.more and not isinstance(self.focused, TextArea)
        return super().check_action(action, parameters)

    def action_older(self) -> None:
        """Build the next notes back in time, each way."""
        self.limit += read_gratitude.NOTES_SHOWN
        self.reload()

    @on(TextArea.Changed, "#note-text")
    def _hint(self) -> None:
        text = self.query_one("#note-text", TextArea).text
        self.query_one("#note-hint", Static).update(
            read_gratitude.note_hint(text, self.people.other)
        )
        self.keep_draft("note-text", text)

    def action_write(self) -> None:
        self.query_one("#note-text", TextArea).focus()

    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        area = self.query_one("#note-text", TextArea)
        thought = self.second_thought.offer(area.text)
        if thought is not None:
            self.notify(f"{thought} {AGAIN}", title="Before it goes", timeout=10, markup=False)
            return
        self.send_from(area, partial(changes.send_note, text=area.text))

    @on(NoteList.Landed)
    def _landed(self, event: NoteList.Landed) -> None:
        self.change(partial(changes.mark_landed, note_id=event.note_id))
