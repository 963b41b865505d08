"""Care: each partner's care menu, the care actions taken on from it, and the evening ticks."""

from __future__ import annotations

import datetime as dt

from companion.domain import model as m
from companion.domain import rules
from companion.domain.ids import tick_id
from companion.domain.records import Record
from companion.errors import UsageError
from companion.service.core import SessionCore
from companion.service.lookup import matches, resolve


def _action_title(record: Record) -> str:
    return str(record.get("title", ""))


class CarePart(SessionCore):
    """The care menu, care actions and ticks of a Session."""

    def add_need(self, text: str) -> Record:
        rid = self.new_id()
        [rec] = self.commit([self.op("create", rid, m.NEED, {"text": m.clean_text(text, "need")})])
        return rec

    def add_care(
        self,
        title: str,
        cadence: str = m.DAILY,
        need_ref: str | None = None,
        days: list[int] | None = None,
    ) -> Record:
        title = m.clean_text(title, "care action", limit=200)
        cadence, parsed_days = m.parse_cadence(cadence)
        days = days if days is not None else parsed_days
        need = None
        if need_ref:
            need = resolve(need_ref, self.core(m.NEED), lambda r: r.get("text", ""), "need")
        receiver = need.author if need else self.partner
        fields = {
            "title": title,
            "cadence": cadence,
            "days": days,
            "need": need.id if need else None,
            "for": receiver,
            "retired": False,
        }
        rid = self.new_id()
        [rec] = self.commit([self.op("create", rid, m.CARE, fields)])
        return rec

    def my_actions(self) -> list[Record]:
        return [a for a in self.core(m.CARE) if a.author == self.me and not a.get("retired")]

    def resolve_action(self, ref: str) -> Record:
        mine = self.my_actions()
        try:
            return resolve(ref, mine, _action_title, "care action")
        except UsageError:
            if not (ref or "").strip():
                raise  # nothing typed: say what to type, not whose action it is
            theirs = [a for a in self.core(m.CARE) if a.author != self.me]
            if any(matches(ref, a, _action_title) for a in theirs):
                raise UsageError(
                    f"'{ref}' is one of {self.name_of(self.partner)}'s care actions.",
                    "Each of you ticks your own; `companion list care` shows yours.",
                ) from None
            raise

    def tick(
        self,
        action_ref: str,
        day: dt.date | None = None,
        *,
        skip: bool = False,
        undo: bool = False,
    ) -> Record:
        action = self.resolve_action(action_ref)
        day = day or self.today()
        if day > self.today():
            raise UsageError(
                f"{day.isoformat()} hasn't happened yet.", "Tick today or an earlier day."
            )
        began = self.first_day(action)
        if day < began and not undo:
            raise UsageError(
                f"'{action.get('title')}' began on {began.isoformat()}, after {day.isoformat()}.",
                f"Tick a day from {began.isoformat()} on.",
            )
        rid = tick_id(action.id, day)
        existing = self.replica.get(rid, m.TICK)
        if undo:
            if existing is None or existing.deleted:
                raise UsageError(f"'{action.get('title')}' wasn't ticked on {day.isoformat()}.")
            [rec] = self.commit([self.op("delete", rid, m.TICK)])
            return rec
        status = m.SKIPPED if skip else m.DONE
        fields = {"action": action.id, "date": day.isoformat(), "status": status}
        self.commit([self.op("create", rid, m.TICK, fields)])
        return self._present(rid, m.TICK)

    def due_today(self, day: dt.date | None = None) -> list[rules.DueItem]:
        day = day or self.today()
        ticks = self.dated([m.TICK], self.recent_partitions(day), include_deleted=True)
        return rules.due_today(self.core(m.CARE), ticks, self.me, day)
