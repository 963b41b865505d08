"""Gratitude notes: written to the partner, read and marked "this landed" by them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from companion.domain import model as m
from companion.domain.ids import is_valid_id
from companion.domain.records import Record
from companion.errors import UsageError
from companion.service.core import SessionCore
from companion.service.lookup import resolve


class NotesPart(SessionCore):
    """The gratitude notes of a Session."""

    def add_gratitude(self, text: str) -> Record:
        if self.partner is None:
            raise UsageError(
                "Your partner hasn't joined this space yet, so there is no one to thank here.",
                "Once they run `companion join`, notes reach them.",
            )
        fields = {
            "text": m.clean_text(text, "note"),
            "to": self.partner,
            "read": False,
            "landed": False,
        }
        [rec] = self.commit([self.op("create", self.new_id(), m.GRATITUDE, fields)])
        return rec

    def notes(self) -> list[Record]:
        return self.dated([m.GRATITUDE])

    def note(self, note_id: str) -> Record | None:
        record = self.replica.get(note_id, m.GRATITUDE)
        return None if record is None or record.deleted else record

    def resolve_note(self, ref: str, *, to_me: bool = True) -> Record:
        exact = self.note(ref) if is_valid_id(ref) else None
        if exact is not None and (not to_me or exact.get("to") == self.me):
            return exact
        notes = [n for n in self.notes() if not to_me or n.get("to") == self.me]
        return resolve(ref, notes, lambda r: r.get("text", ""), "note")

    def mark_notes(self, notes: Iterable[Record], **fields: Any) -> None:
        """Mark notes read or landed, as their recipient: one's own notes are left alone
        (they are the partner's to mark, and the partner's app would refuse it)."""
        ops = [
            self.op("set", n.id, m.GRATITUDE, fields)
            for n in notes
            if n.author != self.me and any(n.get(k) != v for k, v in fields.items())
        ]
        if ops:
            self.commit(ops)
