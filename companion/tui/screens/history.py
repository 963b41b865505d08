"""History: everything by week, newest first, searchable; older months loaded on request."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Static

from companion.service import Session
from companion.tui.read import history as read_history
from companion.tui.resources import style_path
from companion.tui.screens.base import PracticeScreen

# Months read when the screen opens; each "earlier" adds one.
FIRST_MONTHS = 2
MARKS = {"note": "♥", "checkin": "◆", "care": "✓", "agreement": "≡"}


@dataclass(frozen=True)
class Loaded:
    months: list[str]  # every month partition, newest first
    chunks: dict[str, read_history.HistoryChunk]  # those loaded
    agreements: list[read_history.HistoryItem] = field(default_factory=list)


class HistoryScreen(PracticeScreen):
    """A month of records at a time, so ten years never load at once."""

    TITLE = "History"
    MODE = "history"
    CSS_PATH = style_path("history.tcss")
    DRAFTS = ("history-search",)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("o", "earlier", "Earlier month"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.month_count = FIRST_MONTHS
        self.loaded = Loaded([], {})

    def compose_body(self) -> ComposeResult:
        yield Input(
            id="history-search",
            placeholder="Search what's loaded: a word, a name…  (/ to come back here)",
        )
        yield Static(id="history-lead", classes="hint", markup=False)
        with VerticalScroll(id="history-weeks"):
            yield Static(id="history-empty", classes="hint", markup=False)
            yield Button("Load an earlier month", id="earlier", compact=True)

    def on_mount(self) -> None:
        self.sub_title = "everything by week, newest first"
        self.query_one("#earlier", Button).display = False
        self.focus_home()

    def focus_home(self) -> None:
        self.query_one("#history-weeks").focus()

    def read(self, session: Session) -> Loaded:
        months = read_history.history_months(session)
        cached = self.loaded.chunks
        chunks = {}
        for index, month in enumerate(months[: self.month_count]):
            # The newest month is where anything new lands: always read again.
            if index > 0 and month in cached:
                chunks[month] = cached[month]
            else:
                chunks[month] = read_history.history_chunk(session, month)
        return Loaded(months, chunks, read_history.history_agreements(session))

    async def show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        await self._render_weeks()
        self.refresh_bindings()

    @property
    def oldest_loaded(self) -> str | None:
        loaded = [m for m in self.loaded.months if m in self.loaded.chunks]
        return loaded[-1] if loaded else None

    @property
    def has_earlier(self) -> bool:
        return len(self.loaded.chunks) < len(self.loaded.months)

    async def _render_weeks(self) -> None:
        query = self.query_one("#history-search", Input).value.strip()
        oldest = self.oldest_loaded
        box = self.query_one("#history-weeks", VerticalScroll)
        await box.query(".history-week").remove()
        empty = self.query_one("#history-empty", Static)
        earlier = self.query_one("#earlier", Button)
        earlier.display = self.has_earlier
        if oldest is None:
            self.query_one("#history-lead", Static).update("")
            empty.update("Nothing yet: your notes, check-ins and care will gather here.")
            empty.display = True
            return
        items = [i for chunk in self.loaded.chunks.values() for i in chunk.items]
        items += self.loaded.agreements
        care: dict[tuple[str, str], frozenset[str]] = {}
        for chunk in self.loaded.chunks.values():
            for key, given in chunk.care.items():
                care[key] = care.get(key, frozenset()) | given
        weeks = read_history.history_weeks(items, care, read_history.month_start(oldest), query)
        since = f"{read_history.month_start(oldest):%B %Y}"
        more = " Press o for the month before." if self.has_earlier else ""
        lead = f"From {since} on.{more}"
        if query:
            lead = f"{len(weeks)} week(s) with “{query}”, from {since} on.{more}"
        self.query_one("#history-lead", Static).update(lead)
        if earlier.display:
            earlier.label = f"Load {read_history.month_start(self._next_month()):%B %Y}"
        empty.display = not weeks
        empty.update(
            f"Nothing from {since} on matches “{query}”." if query else "Nothing in these months."
        )
        await box.mount_all(
            [Static(week_content(week, query), classes="history-week") for week in weeks],
            before=earlier,
        )

    def _next_month(self) -> str:
        return self.loaded.months[len(self.loaded.chunks)]

    @on(Input.Changed, "#history-search")
    async def _search(self) -> None:
        await self._render_weeks()

    @on(Input.Submitted, "#history-search")
    def _searched(self) -> None:
        self.focus_home()

    def action_search(self) -> None:
        self.query_one("#history-search", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "earlier":
            return self.has_earlier and not isinstance(self.focused, Input)
        if action == "search":
            return not isinstance(self.focused, Input)
        return super().check_action(action, parameters)

    @on(Button.Pressed, "#earlier")
    def action_earlier(self) -> None:
        """One more month partition back in time."""
        if self.has_earlier:
            self.month_count = len(self.loaded.chunks) + 1
            self.reload()


def week_content(week: read_history.HistoryWeek, query: str) -> Content:
    lines = [Content.styled(f"Week of {week.label}", "bold $text-primary")]
    for kind, text in week.lines:
        first, _, rest = text.partition("\n")
        line = Content.assemble((f"{MARKS.get(kind, '·')} ", "$text-muted"), first)
        if rest:
            line = Content.assemble(line, "\n", (rest, "$text-muted"))
        lines.append(line)
    content = Content("\n").join(lines)
    for word in query.split():
        pattern = re.compile(re.escape(word), re.IGNORECASE)
        content = content.highlight_regex(pattern, style="$text-accent bold underline")
    return content
