"""A list of records whose cursor stays on the same record when the list is rebuilt."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget
from textual.widgets import ListItem, ListView


class RecordItem(ListItem):
    """A row that knows which record it shows, and from what data (`shows`)."""

    def __init__(self, *children: Widget, record_id: str, shows: object, classes: str = "") -> None:
        super().__init__(*children, classes=classes)
        self.record_id = record_id
        self.shows = shows


class EmptyItem(ListItem):
    """What an empty list says instead of nothing (drawn by the row itself)."""

    def __init__(self, text: str) -> None:
        super().__init__(classes="empty")
        self.shows = ("empty", text)
        self.text = text

    def render(self) -> Content:
        return Content(self.text)


class RecordList(ListView):
    """A ListView of RecordItems, rebuilt in place from fresh data."""

    @property
    def current(self) -> RecordItem | None:
        item = self.highlighted_child
        return item if isinstance(item, RecordItem) else None

    @property
    def current_id(self) -> str | None:
        item = self.current
        return item.record_id if item else None

    async def replace(self, items: list[ListItem], empty: str = "") -> None:
        """Swap in new rows, keeping the cursor on the record it was on (or near it).

        Rows that would show exactly what is there already are left alone.
        """
        if not items and empty:
            items = [EmptyItem(empty)]
        showing = [getattr(item, "shows", item) for item in items]
        if showing == [getattr(item, "shows", None) for item in self.children]:
            return
        keep, old_index = self.current_id, self.index
        await self.clear()
        await self.extend(items)
        ids = [getattr(item, "record_id", None) for item in items]
        if keep is not None and keep in ids:
            self.index = ids.index(keep)
        elif items:
            self.index = min(old_index or 0, len(items) - 1)
        self.refresh_bindings()

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        # Which actions the footer offers depends on the row under the cursor.
        self.refresh_bindings()

    def item_of(self, widget: Widget) -> RecordItem | None:
        """The row a widget inside it belongs to (for buttons on a row)."""
        node = widget
        while node is not None and not isinstance(node, RecordItem):
            node = node.parent  # type: ignore[assignment]
        return node
