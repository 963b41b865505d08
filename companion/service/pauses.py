"""Pauses: "I need a pause; back at 21:30", and the gentle repair step when it is over.

A pause is a record of its author's (when it ends, a note, ended early). Once it is over, each
partner gets a repair step: what I'd like to try again, one thing I understand better now.
The answers stay on this device (its local bookkeeping, never synced) unless the person shares
them, which writes a repair record. Nothing here counts pauses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from companion.domain import model as m
from companion.domain import moments
from companion.domain.ids import id_ms
from companion.domain.records import Record
from companion.errors import UsageError
from companion.service.core import SessionCore, locked

# How far back a repair step still waits for someone who hasn't opened the app since.
REPAIR_DAYS = 7
# This device's own bookkeeping: the pauses whose repair step is done here, and the private
# answers (pause id → {"again", "understood"}).
REPAIRS_DONE = "repairs_done"
PRIVATE_REPAIRS = "private_repairs"


class Pause(NamedTuple):
    """A pause as it is read: whose, until when (clamped to a day), whether it is over."""

    record: Record
    mine: bool
    until_ms: int
    over: bool


class PausesPart(SessionCore):
    """Pauses and repair steps, for a Session."""

    def local_now(self) -> dt.datetime:
        """Now, in this computer's time zone."""
        return dt.datetime.fromtimestamp(self.now() / 1000).astimezone()

    def start_pause(
        self, minutes: int | None = None, until: str | None = None, note: str | None = None
    ) -> Record:
        """Call a pause until a time within the practice's limits."""
        mine = self.my_pause()
        if mine is not None:
            raise UsageError(
                f"You're pausing already, until {self.clock_time(mine.until_ms)}.",
                "`companion pause --end` ends it early; then you can call a new one.",
            )
        back = moments.pause_until(self.local_now(), minutes, until)
        fields: dict[str, Any] = {"until": int(back.timestamp() * 1000), "ended": False}
        if note is not None and note.strip():
            fields["note"] = m.clean_text(note, "note", limit=m.MAX_WORD)
        [record] = self.commit([self.op("create", self.new_id(), m.PAUSE, fields)])
        return record

    def end_pause(self) -> Record:
        """End my pause early (I'm ready to come back)."""
        mine = self.my_pause()
        if mine is None:
            raise UsageError("You have no pause going on.")
        self.commit([self.op("set", mine.record.id, m.PAUSE, {"ended": True})])
        return self._present(mine.record.id, m.PAUSE)

    def clock_time(self, ms: int) -> str:
        """A time as this computer's clock shows it: "21:30", or "Fri 09:00" another day."""
        when = dt.datetime.fromtimestamp(ms / 1000).astimezone()
        if when.date() == self.local_now().date():
            return f"{when:%H:%M}"
        return f"{when:%a %H:%M}"

    def recent_pauses(self, days: int = 2) -> list[Pause]:
        """Pauses of the last few days, newest first."""
        now = self.now()
        found = self.dated([m.PAUSE], self.recent_partitions(self.today(), days))
        pauses = []
        for record in sorted(found, key=lambda r: r.created, reverse=True):
            until = moments.shown_until(id_ms(record.id), int(record.get("until", 0)))
            over = bool(record.get("ended")) or until <= now
            pauses.append(Pause(record, record.author == self.me, until, over))
        return pauses

    def pause_in_effect(self) -> Pause | None:
        """The pause going on now (either partner's), if there is one."""
        return next((p for p in self.recent_pauses() if not p.over), None)

    def my_pause(self) -> Pause | None:
        return next((p for p in self.recent_pauses() if not p.over and p.mine), None)

    def pause_agreement(self) -> Record | None:
        """The couple's accepted agreement about pausing a conflict, if there is one."""
        accepted = [a for a in self.core(m.AGREEMENT) if a.get("status") == m.ACCEPTED]
        return next((a for a in accepted if moments.about_pausing(a.get("text", ""))), None)

    def repairs_due(self) -> list[Pause]:
        """The latest pause, once it is over, while I haven't taken its repair step on this
        device. Only the latest: steps left from earlier pauses don't pile up as chores."""
        pauses = self.recent_pauses(REPAIR_DAYS)
        if not pauses or not pauses[0].over:
            return []  # none yet, or a pause is going on: its time comes first
        latest = pauses[0]
        done = set(self.replica.meta(REPAIRS_DONE, []))
        shared = {r.get("pause") for r in self.recent_repairs() if r.author == self.me}
        return [] if latest.record.id in done | shared else [latest]

    @locked
    def take_repair(
        self,
        pause_id: str,
        again: str | None = None,
        understood: str | None = None,
        *,
        share: bool = False,
    ) -> Record | None:
        """Keep the repair step's answers for me, or share them (a repair record)."""
        answers = {
            name: m.clean_text(value, "answer")
            for name, value in (("again", again), ("understood", understood))
            if value is not None and value.strip()
        }
        shared: Record | None = None
        if share:
            if not answers:
                raise UsageError("There is nothing to share yet.", "Write a few words first.")
            fields = {"pause": pause_id, **answers}
            [shared] = self.commit([self.op("create", self.new_id(), m.REPAIR, fields)])
        elif answers:
            private = dict(self.replica.meta(PRIVATE_REPAIRS, {}))
            private[pause_id] = answers
            self.replica.set_meta(private_repairs=private)
        done = list(self.replica.meta(REPAIRS_DONE, []))
        if pause_id not in done:
            # bounded: only recent pauses are asked about, so older ids may go
            self.replica.set_meta(repairs_done=[*done[-50:], pause_id])
        return shared

    def private_repair(self, pause_id: str) -> dict[str, str]:
        """What I kept for myself from a pause's repair step, on this device."""
        return dict(self.replica.meta(PRIVATE_REPAIRS, {}).get(pause_id, {}))

    def recent_repairs(self) -> list[Record]:
        """Repair steps shared lately (by either partner), oldest first."""
        parts = self.recent_partitions(self.today(), 2 * REPAIR_DAYS)
        return self.dated([m.REPAIR], parts)

    def shared_repairs(self, pause_id: str) -> list[Record]:
        return [r for r in self.recent_repairs() if r.get("pause") == pause_id]
