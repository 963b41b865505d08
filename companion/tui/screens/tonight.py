"""Tonight: today's care, what arrived from the partner since I last looked, a quick thank-you."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static

from companion.tui import changes
from companion.tui.read import tonight as read_tonight
from companion.tui.screens.tonight_moments import MomentsScreen
from companion.tui.second_thought import AGAIN, SecondThought
from companion.tui.widgets.due_list import DueList
from companion.tui.widgets.links import link
from companion.tui.widgets.moments import MomentsPanel
from companion.tui.widgets.new_notes import NewNotes

if TYPE_CHECKING:
    from companion.service import Session
    from companion.tui.read.moments import MomentsView

NO_NEW_NOTES = "No new notes since you last looked."


class TonightRead(NamedTuple):
    """Tonight's data with the evening's moments, read in one turn: shown without the
    moments panel's own trip through a worker."""

    tonight: read_tonight.Tonight
    moments: MomentsView
    turn: int


class TonightScreen(MomentsScreen):
    """Home: what to do tonight, and what arrived."""

    TITLE = "Tonight"
    MODE = "tonight"
    SHOWS_READ = True
    # Focused as the screen is built: focusing it afterwards would restyle the screen twice.
    AUTO_FOCUS = "#due"
    # styles/tonight.tcss is loaded with the app's stylesheet (CompanionApp.CSS_PATH).
    BINDINGS: ClassVar[list[BindingType]] = [Binding("n", "write_note", "Write a note", show=False)]

    def __init__(self, initial: read_tonight.Tonight | None = None) -> None:
        """`initial`: Tonight's data read already (at start-up): built in, not loaded."""
        super().__init__()
        self._initial = initial
        self._partner: str | None = None  # whom a quick note goes to (None: not joined yet)
        self._second_thought = SecondThought()
        if initial is not None:
            self._asked = True

    def compose_body(self) -> ComposeResult:
        initial = self._initial
        with VerticalScroll(id="tonight-body"):
            yield Static(id="banner", markup=False)
            yield MomentsPanel(id="moments")
            yield Static("Tonight's care", classes="section-title")
            yield DueList(
                initial.due if initial else (),
                self._nothing_due(initial) if initial else "",
                id="due",
            )
            yield Static("New notes", id="notes-title", classes="section-title", markup=False)
            yield Static(id="landed", markup=False)
            yield NewNotes(
                initial.notes if initial else (),
                self._no_new_notes(initial) if initial else "",
                id="new-notes",
            )
            yield Static(id="more-notes", classes="hint", markup=False)
        # The note's field is made when the person starts one (n, or a click on the link):
        # a text field is among the costliest widgets to build, style and draw.
        yield Static(id="quick-note")

    def on_mount(self) -> None:
        initial, self._initial = self._initial, None
        if initial is not None:
            self._fill(initial)
            self.call_after_refresh(self._seen, initial)
            self.call_after_refresh(self.reload_moments)
        elif self.app.backend is None:  # the space is still opening (or being unlocked)
            banner = self.query_one("#banner", Static)
            banner.update("Opening your space…")
            banner.display = True

    def focus_home(self) -> None:
        self.query_one(DueList).focus()

    def read(self, session: Session) -> TonightRead:
        from companion.tui.read.moments import moments

        tonight = read_tonight.tonight(session, self.backend.seen_since(session))
        return TonightRead(tonight, moments(session), self.backend.turns)

    @staticmethod
    def _nothing_due(tonight: read_tonight.Tonight) -> str:
        """What the care list says when nothing is due: on the first evenings, what to do
        first (never a hint about a menu that isn't there yet)."""
        if tonight.has_actions:
            return "Nothing is due tonight. Rest is part of the practice too."
        other = tonight.people.other
        if not tonight.people.partner:
            return (
                "Start with your care menu (press c): what helps you feel cared for, in your "
                "own words. Your partner's appears once they join."
            )
        if not tonight.my_menu and not tonight.their_menu:
            return (
                "Start with your care menus (press c): what helps each of you feel cared for. "
                "If one of you has felt less supported lately, let them write theirs first."
            )
        if not tonight.their_menu:
            return (
                f"Your care menu is written. Once {other}'s arrives, adopt one small thing "
                "from it (press c)."
            )
        mine = "" if tonight.my_menu else ", and write yours when you're ready"
        return f"{other}'s care menu is here: adopt one small thing from it (press c){mine}."

    @staticmethod
    def _no_new_notes(tonight: read_tonight.Tonight) -> str:
        if tonight.sent_note or not tonight.people.partner:
            return NO_NEW_NOTES
        return (
            f"{NO_NEW_NOTES} Send {tonight.people.other} one specific note of thanks: what "
            "they did, and how it felt (press n)."
        )

    async def show(self, data: TonightRead | read_tonight.Tonight) -> None:
        """`data`: as read here, or Tonight alone as read at start-up (moments read next)."""
        tonight = data.tonight if isinstance(data, TonightRead) else data
        self.query_one(DueList).set_rows(tonight.due, self._nothing_due(tonight))
        self.query_one(NewNotes).set_rows(tonight.notes, self._no_new_notes(tonight))
        self._fill(tonight)
        self.call_after_refresh(self._seen, tonight)
        if isinstance(data, TonightRead):
            self.query_one(MomentsPanel).show_view(data.moments, data.turn)
        else:
            self.reload_moments()

    def _fill(self, tonight: read_tonight.Tonight) -> None:
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
        self._partner = who.partner
        self._label_quick_note()

    def _label_quick_note(self) -> None:
        label = self.query_one("#quick-note", Static)
        partner = self._partner
        if not partner:
            label.update("Notes of thanks open up once your partner has joined this space.")
        elif self.query("#note-input"):
            label.update(f"A quick note of thanks to {partner}  (Enter sends it)")
        else:
            label.update(
                Content.assemble(
                    f"A quick note of thanks to {partner}: ",
                    link("write one", "screen.write_note"),
                    "  (n)",
                )
            )

    def _seen(self, tonight: read_tonight.Tonight) -> None:
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
            self.mark_shown(read, stamp)

    @on(DueList.Marked)
    def _marked(self, event: DueList.Marked) -> None:
        self.change(partial(changes.tick, action_id=event.action_id, status=event.status))

    @on(NewNotes.Landed)
    def _landed(self, event: NewNotes.Landed) -> None:
        self.change(partial(changes.mark_landed, note_id=event.note_id))

    @on(Input.Submitted, "#note-input")
    def _send(self, event: Input.Submitted) -> None:
        thought = self._second_thought.offer(event.value)
        if thought is not None:
            self.notify(f"{thought} {AGAIN}", title="Before it goes", timeout=10, markup=False)
            return
        self.send_from(event.input, partial(changes.send_note, text=event.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "write_note":
            return self._partner is not None
        return super().check_action(action, parameters)

    async def action_write_note(self) -> None:
        if not self.query("#note-input"):
            field = Input(id="note-input", placeholder="What did they do, and how did it land?")
            await self.mount(field, after="#quick-note")
            self._label_quick_note()
        self.query_one("#note-input", Input).focus()
