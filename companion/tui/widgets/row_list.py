"""A list that draws all its rows itself, the row under the cursor highlighted.

Tonight is the first screen painted, and a widget per row (Textual's ListView) cost its
start-up as much as the rest of the screen: every widget is styled, laid out and drawn on
the way to the first paint. One widget draws these rows instead; a row's actions are links in
its text (see links.py), and a click on a row moves the cursor there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Generic, TypeVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region
from textual.widget import Widget

Row = TypeVar("Row")


class RowList(Widget, Generic[Row], can_focus=True):
    """Rows of one kind; subclasses say how a row reads (`row_content`) and what identifies it
    (`row_key`), so that the cursor stays on the same row when fresh rows come in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
    ]
    # Blank lines between two rows (rows of several lines read better apart).
    ROW_GAP: ClassVar[int] = 0

    def __init__(self, rows: Iterable[Row] = (), empty: str = "", *, id: str | None = None):
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.empty = empty
        self.index: int | None = None
        self._contents: list[Content] = []
        self._take(list(rows))
        self.index = 0 if self.rows else None

    def row_content(self, row: Row, index: int) -> Content:
        """How row `index` reads (links in it may name `index`)."""
        raise NotImplementedError

    def row_key(self, row: Row) -> str:
        raise NotImplementedError

    # -- data -------------------------------------------------------------------------------

    @property
    def current(self) -> Row | None:
        return self.rows[self.index] if self.index is not None else None

    def _take(self, rows: list[Row]) -> None:
        self.rows = rows
        # Each row's text, made once per set of rows: Textual renders the list to measure its
        # height and again to draw it, at every layout.
        self._contents = [self.row_content(row, i) for i, row in enumerate(rows)]

    def set_rows(self, rows: Iterable[Row], empty: str = "") -> None:
        """Show fresh rows, the cursor staying on the row it was on (or near it)."""
        rows = list(rows)
        if rows == self.rows and empty == self.empty:
            return
        current = self.current
        keep = self.row_key(current) if current is not None else None
        keys = [self.row_key(row) for row in rows]
        if keep in keys:
            self.index = keys.index(keep)
        elif rows:
            self.index = min(self.index or 0, len(rows) - 1)
        else:
            self.index = None
        self.empty = empty
        before = self._contents
        self._take(rows)
        # A row's mark changing (done, landed) leaves every height as it was: drawn again,
        # without laying the screen out again.
        self.refresh(layout=not self._same_heights(before, self._contents))
        self.refresh_bindings()

    def _same_heights(self, before: list[Content], after: list[Content]) -> bool:
        width = self.content_size.width
        if width <= 0 or len(before) != len(after) or not before:
            return False
        return all(
            old.plain == new.plain or len(old.wrap(width)) == len(new.wrap(width))
            for old, new in zip(before, after, strict=True)
        )

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
            if index and self.ROW_GAP:
                lines += [Content()] * self.ROW_GAP
            if index == self.index and width > 0:
                lines += [
                    line.extend_right(width - line.cell_length).stylize_before(cursor)
                    for line in content.wrap(width)
                ]
            else:
                lines.append(content)
        return Content("\n").join(lines)

    def _tops(self) -> list[tuple[int, int]]:
        """Where each row starts, in this widget's own lines, and how many lines it takes
        at the present width."""
        width = max(1, self.content_size.width)
        tops, top = [], 0
        for content in self._contents:
            height = len(content.wrap(width))
            tops.append((top, height))
            top += height + self.ROW_GAP
        return tops

    def _row_at(self, y: int) -> int | None:
        for index, (top, height) in enumerate(self._tops()):
            if top <= y < top + height:
                return index
        return None

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- moving -----------------------------------------------------------------------------

    def move_to(self, index: int) -> None:
        """Put the cursor on row `index`, scrolled into view."""
        self.index = index
        self.refresh()
        self.refresh_bindings()
        parent = self.parent
        if isinstance(parent, Widget) and parent.is_scrollable:
            top, height = self._tops()[index]
            region = Region(0, top, max(1, self.content_size.width), height)
            parent.scroll_to_region(
                region.translate(self.virtual_region.offset + self.styles.gutter.top_left),
                animate=False,
                immediate=True,
            )

    def link_clicked(self, index: int) -> Row | None:
        """A click on a link in row `index`: focus here, the cursor on that row, and the row
        (None if the rows changed under the click)."""
        if not 0 <= index < len(self.rows):
            return None
        self.focus()
        self.move_to(index)
        return self.rows[index]

    def action_cursor(self, step: int) -> None:
        if self.rows:
            self.move_to(max(0, min(len(self.rows) - 1, (self.index or 0) + step)))

    def action_cursor_to(self, index: int) -> None:
        if self.rows:
            self.move_to(index % len(self.rows))

    def on_click(self, event: events.Click) -> None:
        """A click on a row (not on its links, which act themselves) puts the cursor there."""
        self.focus()
        offset = event.get_content_offset(self)
        index = self._row_at(offset.y) if offset is not None else None
        if index is not None and index != self.index:
            self.move_to(index)
