"""Gratitude notes: written to the partner, read and marked "this landed" by them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from companion.domain import model as m
from companion.domain import moments
from companion.domain.ids import id_ms, is_valid_id
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

    def unsend_note(self, ref: str | None = None) -> Record:
        """Take back a note I sent, within five minutes of sending it.

        The window is read on my own clock: the time my device wrote into the note's id when
        it was sent, against my device's time now (the partner's clock plays no part). It
        doesn't depend on whether my partner has read it: that would be a read receipt.
        """
        now = self.now()
        notes = self.dated([m.GRATITUDE], self.recent_partitions(self.today(), 2))
        mine = [n for n in notes if n.author == self.me]
        if ref is None:
            recent = [n for n in mine if moments.within_unsend_window(id_ms(n.id), now)]
            if not recent:
                raise UsageError(
                    "There is no note of yours from the last five minutes to take back.",
                    "A note can be taken back for five minutes after it is sent.",
                )
            note = recent[-1]
        else:
            note = resolve(ref, mine, lambda r: r.get("text", ""), "note of yours")
        if not moments.within_unsend_window(id_ms(note.id), now):
            raise UsageError(
                "That note was sent more than five minutes ago, so it stays.",
                "If it needs another word, write a new note that says so.",
            )
        removal = self.op("delete", note.id, m.GRATITUDE)
        if not moments.removal_in_time(note.id, note.created, removal["hlc"]):
            # this device's stamps follow a partner's clock that runs ahead: the partner's app
            # judges by them and would keep the note, so nothing is written
            raise UsageError(
                "That note can't be taken back now: by the time your partner's app goes by, it "
                "was sent more than five minutes ago, so it stays.",
                "Check the date and time on this computer and on your partner's. If the note "
                "needs another word, write a new note that says so.",
            )
        [gone] = self.commit([removal])
        return gone

    def recent_sent(self) -> Record | None:
        """My newest note, while it may still be taken back."""
        now = self.now()
        notes = self.dated([m.GRATITUDE], self.recent_partitions(self.today(), 1))
        mine = [n for n in notes if n.author == self.me]
        last = mine[-1] if mine else None
        if last is None or not moments.within_unsend_window(id_ms(last.id), now):
            return None
        return last

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
        ops = []
        for n in notes:
            if n.author == self.me or all(n.get(k) == v for k, v in fields.items()):
                continue
            try:
                ops.append(self.op("set", n.id, m.GRATITUDE, fields))
            except UsageError:
                # a note dated at the end of time can't be changed (self.op says why): a
                # person marking it is told so, but reading it never stops the evening
                if set(fields) != {"read"}:
                    raise
        if ops:
            self.commit(ops)
