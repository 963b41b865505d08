"""Reviews: the receiver's word on the partner's care actions, week by week."""

from __future__ import annotations

import datetime as dt
from typing import Any

from companion.domain import model as m
from companion.domain.ids import iso_week, review_id, week_monday
from companion.domain.records import Record
from companion.errors import UsageError
from companion.service.core import SessionCore
from companion.service.lookup import resolve

# A few words, as long as a care action's title may be (schema.py).
MAX_NOTE = 200


class ReviewsPart(SessionCore):
    """The reviews of a Session: landed, missed or not needed."""

    def actions_for_me(self) -> list[Record]:
        """My partner's care actions meant for me (retired ones too): the ones I review."""
        return [a for a in self.core(m.CARE) if a.get("for") == self.me and a.author != self.me]

    def review(
        self, action_ref: str, verdict: str, week: str | None = None, note: str | None = None
    ) -> Record:
        """The receiver's word on one of the partner's care actions for a week, with a few
        words of their own if they like (`note`: what would help instead; "" takes it back).
        Without `note`, words said before stay."""
        if verdict not in m.REVIEW_VERDICTS:
            raise UsageError(
                f"'{verdict}' is not a review.", "Use one of: " + ", ".join(m.REVIEW_VERDICTS)
            )
        action = resolve(
            action_ref, self.actions_for_me(), lambda r: r.get("title", ""), "care action for you"
        )
        began = iso_week(self.first_day(action))
        this_week = iso_week(self.today())
        if week:
            week = m.parse_week(week)
        else:  # last week; this week for an action newer than that
            week = max(iso_week(self.today() - dt.timedelta(days=7)), began)
        if week > this_week:
            raise UsageError(f"{week} hasn't come yet.", "Review this week or an earlier one.")
        if week < began:
            raise UsageError(
                f"'{action.get('title')}' began in {began}, after {week}.",
                f"Review a week from {began} on.",
            )
        rid = review_id(action.id, week)
        fields: dict[str, Any] = {"action": action.id, "week": week, "verdict": verdict}
        if note is not None:
            fields["note"] = m.clean_text(note, "few words", limit=MAX_NOTE) if note else None
        self.commit([self.op("create", rid, m.REVIEW, fields)])
        return self._present(rid, m.REVIEW)

    def words_on_my_care(self, week: str | None = None) -> list[Record]:
        """My partner's word on my care actions for a week (last week by default), the
        actions' order: what the receiver said, for the giver to see."""
        week = week or iso_week(self.today() - dt.timedelta(days=7))
        mine = {a.id: n for n, a in enumerate(self.core(m.CARE)) if a.author == self.me}
        # A review is filed by the day it was written: from that week's Monday on.
        since = max(0, (self.today() - week_monday(week)).days)
        found = [
            r
            for r in self.dated([m.REVIEW], self.recent_partitions(self.today(), since))
            if r.get("week") == week and r.get("action") in mine and r.author != self.me
        ]
        return sorted(found, key=lambda r: mine[r.get("action")])
