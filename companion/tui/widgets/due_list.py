"""Tonight's care actions, each ticked done or skipped (low energy) by key or by click.

One widget draws every row, the one under the cursor highlighted: Tonight is the first screen
painted, and a list of row widgets cost the start-up as much as the rest of the screen. Each
row's Done / Skip / Undo are links in its text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region
from textual.message import Message
from textual.widget import Widget

from companion.domain import model as m
from companion.tui.tonight_data import DueRow
from companion.tui.widgets.links import link

MARKS = {m.DONE: "✓", m.SKIPPED: "☾", None: "·"}
STATUS_WORDS = {m.DONE: "done", m.SKIPPED: "resting tonight", None: ""}


def due_content(row: DueRow, index: int) -> Content:
    """The mark, the action and its details, then links that tick it (or take it back)."""
    detail = row.cadence + (f" · for {row.receiver}" if row.receiver else "")
    if row.status:
        detail += f" · {STATUS_WORDS[row.status]}"
    mark = (MARKS[row.status], "$text-muted" if row.status == m.SKIPPED else "$text-success")
    title = (row.title, "$text-muted") if row.status == m.DONE else row.title
    if row.status is None:
        links = [
            link("Done", f"mark_row({index},'done')"),
            "  ",
            link("Skip", f"mark_row({index},'skipped')"),
        ]
    else:
        links = [link("Undo", f"mark_row({index},'')")]
    return Content.assemble(mark, " ", title, "  ", (detail, "$text-muted"), "   ", *links)


class DueList(Widget, can_focus=True):
    """The giver's list for tonight. A skip is rest, not a failure."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
        Binding("d", "mark('done')", "Done"),
        Binding("s", "mark('skipped')", "Skip (low energy)"),
        Binding("u", "mark('')", "Undo"),
    ]

    class Marked(Message):
        """Tick an action for today: 'done', 'skipped', or None to take the tick back."""

        def __init__(self, action_id: str, status: str | None) -> None:
            super().__init__()
            self.action_id = action_id
            self.status = status

    def __init__(self, rows: Iterable[DueRow] = (), empty: str = "", *, id: str | None = None):
        super().__init__(id=id)
        self.rows: list[DueRow] = list(rows)
        self.empty = empty
        self.index: int | None = 0 if self.rows else None
        # Each row's text, made once per set of rows: Textual renders the list to measure
        # its height and again to draw it, at every layout.
        self._contents = [due_content(row, i) for i, row in enumerate(self.rows)]

    # -- data -------------------------------------------------------------------------------

    @property
    def current(self) -> DueRow | None:
        return self.rows[self.index] if self.index is not None else None

    def set_rows(self, rows: Iterable[DueRow], empty: str = "") -> None:
        """Show fresh rows, the cursor staying on the action it was on (or near it)."""
        rows = list(rows)
        if rows == self.rows and empty == self.empty:
            return
        keep = self.current.action_id if self.current else None
        ids = [row.action_id for row in rows]
        if keep in ids:
            self.index = ids.index(keep)
        elif rows:
            self.index = min(self.index or 0, len(rows) - 1)
        else:
            self.index = None
        self.rows, self.empty = rows, empty
        self._contents = [due_content(row, i) for i, row in enumerate(rows)]
        self.refresh(layout=True)
        self.refresh_bindings()

    # -- drawing ----------------------------------------------------------------------------

    def render(self) -> Content:
        if not self.rows:
            return Content.styled(self.empty, "$text-muted italic")
        width = self.content_size.width
        if self.has_focus:
            cursor = "$block-cursor-foreground on $block-cursor-background"
        else:
            cursor = "$block-cursor-blurred-foreground on $block-cursor-blurred-background"
        lines: list[Content] = []
        for index, content in enumerate(self._contents):
            if index == self.index and width > 0:
                wrapped = content.wrap(width)
                lines += [
                    line.extend_right(width - line.cell_length).stylize_before(cursor)
                    for line in wrapped
                ]
            else:
                lines.append(content)
        return Content("\n").join(lines)

    def _heights(self) -> list[int]:
        """How many lines each row takes at the present width."""
        width = max(1, self.content_size.width)
        return [len(content.wrap(width)) for content in self._contents]

    def _row_region(self, index: int) -> Region:
        """Where row `index` is drawn, in this widget's own lines."""
        heights = self._heights()
        return Region(0, sum(heights[:index]), max(1, self.content_size.width), heights[index])

    def _row_at(self, y: int) -> int | None:
        top = 0
        for index, height in enumerate(self._heights()):
            if top <= y < top + height:
                return index
            top += height
        return None

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- moving and ticking -----------------------------------------------------------------

    def _move_to(self, index: int) -> None:
        self.index = index
        self.refresh()
        self.refresh_bindings()
        parent = self.parent
        if isinstance(parent, Widget) and parent.is_scrollable:
            region = self._row_region(index)
            parent.scroll_to_region(
                region.translate(self.virtual_region.offset + self.styles.gutter.top_left),
                animate=False,
                immediate=True,
            )

    def action_cursor(self, step: int) -> None:
        if self.rows:
            self._move_to(max(0, min(len(self.rows) - 1, (self.index or 0) + step)))

    def action_cursor_to(self, index: int) -> None:
        if self.rows:
            self._move_to(index % len(self.rows))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "mark":
            return True
        row = self.current
        if row is None:
            return False
        wanted = parameters[0] or None
        if wanted is None:
            return row.status is not None
        return row.status != wanted

    def action_mark(self, status: str) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Marked(row.action_id, status or None))

    def action_mark_row(self, index: int, status: str) -> None:
        """A click on one of a row's links: that row, ticked (or not) as the link says."""
        if 0 <= index < len(self.rows):
            self.focus()
            self._move_to(index)
            self.post_message(self.Marked(self.rows[index].action_id, status or None))

    def on_click(self, event: events.Click) -> None:
        """A click on a row (not on its links, which act themselves) puts the cursor there."""
        self.focus()
        offset = event.get_content_offset(self)
        index = self._row_at(offset.y) if offset is not None else None
        if index is not None and index != self.index:
            self._move_to(index)
