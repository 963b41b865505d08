"""Progress: week by week, how care flowed to each partner, as the receiver experienced it."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from companion.service import Session
from companion.tui.read import progress as read_progress
from companion.tui.resources import style_path
from companion.tui.screens.base import PracticeScreen
from companion.tui.widgets.week_card import WeekCard

LEAD = (
    "How care reached each of you, week by week, as you felt it: moments you felt supported, "
    "care and notes that landed, check-ins held together, victories. Balance, never a score."
)
# The overview's sparklines show at most this many weeks (the newest).
OVERVIEW_WEEKS = 26
LABEL_WIDTH = 14


class ProgressScreen(PracticeScreen):
    """Recent weeks first; earlier ones on request, a few months of records at a time."""

    TITLE = "Progress"
    MODE = "progress"
    CSS_PATH = style_path("progress.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("o", "earlier", "Earlier weeks")]

    def __init__(self) -> None:
        super().__init__()
        # Loaded a few months at a time: each chunk is PROGRESS_WEEKS weeks ending with the
        # week it is keyed by (None: this week). Only this week's chunk is read again.
        self.chunks: dict[str | None, read_progress.Progress] = {}
        self.untils: list[str | None] = [None]
        self.view: read_progress.Progress | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="progress-body"):
            yield Static(LEAD, id="progress-lead", classes="hint")
            yield Static(id="overview")
            yield Vertical(id="weeks")
            yield Button("Show earlier weeks", id="earlier", compact=True)

    def on_mount(self) -> None:
        self.sub_title = "balance, never a score"
        self.query_one("#earlier", Button).display = False
        self.focus_home()

    def focus_home(self) -> None:
        self.query_one("#progress-body").focus()

    def read(self, session: Session) -> dict[str | None, read_progress.Progress]:
        cached = self.chunks
        return {
            until: cached[until]
            if until is not None and until in cached
            else read_progress.progress(session, until=until, count=read_progress.PROGRESS_WEEKS)
            for until in list(self.untils)
        }

    async def show(self, chunks: dict[str | None, read_progress.Progress]) -> None:
        self.chunks = chunks
        loaded = [chunks[until] for until in self.untils if until in chunks]
        view = read_progress.Progress(
            loaded[0].people,
            [week for chunk in loaded for week in chunk.weeks],
            loaded[-1].earlier,
        )
        self.view = view
        weeks = view.weeks
        self.query_one("#overview", Static).update(overview(view))
        box = self.query_one("#weeks", Vertical)
        cards = list(box.query(WeekCard))
        if [c.week.week for c in cards] == [w.week for w in weeks]:
            for card, week in zip(cards, weeks, strict=True):
                card.show(week)
        else:
            await box.remove_children()
            await box.mount_all([WeekCard(week) for week in weeks])
        self.query_one("#earlier", Button).display = view.earlier is not None
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "earlier":
            return self.view is not None and self.view.earlier is not None
        return super().check_action(action, parameters)

    @on(Button.Pressed, "#earlier")
    def action_earlier(self) -> None:
        """The weeks before: only the months they fall in are read."""
        if self.view is None or self.view.earlier is None:
            return
        if self.view.earlier not in self.untils:
            self.untils.append(self.view.earlier)
        self.reload()


def overview(view: read_progress.Progress) -> Content:
    """The weeks shown, oldest to newest, as shapes of what you share: support felt between
    you (both together, one line, so it compares no one), and the check-ins held together."""
    if not view.weeks:
        return Content.styled(
            "Your first weeks together will show here: notes, care that landed, check-ins.",
            "$text-muted italic",
        )
    weeks = list(reversed(view.weeks[:OVERVIEW_WEEKS]))
    support = [sum(p.support for p in w.people) for w in weeks]
    held = "".join("◆" if w.checkin_held else "·" for w in weeks)
    span = f"the last {len(weeks)} weeks" if len(weeks) > 1 else "this week"
    return Content("\n").join(
        [
            Content.styled(f"  {span}, oldest first", "$text-muted"),
            Content.assemble(
                ("  " + "support felt".ljust(LABEL_WIDTH), "$text-muted"),
                (read_progress.spark(support), "$text-primary"),
            ),
            Content.assemble(
                ("  " + "check-ins".ljust(LABEL_WIDTH), "$text-muted"),
                (held, "$text-success"),
            ),
        ]
    )
