"""One gentle suggestion before a note goes, offered once: sending again sends it as written."""

from __future__ import annotations

AGAIN = "Send again to send it as written."


class SecondThought:
    """Remembers the note a suggestion was last offered for, so it is offered only once."""

    def __init__(self) -> None:
        self._offered: str | None = None

    def offer(self, text: str) -> str | None:
        """The suggestion to show instead of sending `text` now, or None to send it."""
        from companion.domain.moments import note_suggestion  # when a note goes, not at paint

        cleaned = text.strip()
        if not cleaned or cleaned == self._offered:
            return None
        thought = note_suggestion(cleaned)
        if thought is not None:
            self._offered = cleaned
        return thought
