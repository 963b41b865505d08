"""Reviews: the receiver's word on the partner's care actions, week by week."""

from __future__ import annotations

import datetime as dt

from companion.domain import model as m
from companion.domain.ids import iso_week, review_id
from companion.domain.records import Record
from companion.errors import UsageError
from companion.service.core import SessionCore
from companion.service.lookup import resolve


class ReviewsPart(SessionCore):
    """The reviews of a Session: landed, missed or not needed."""

    def actions_for_me(self) -> list[Record]:
        """My partner's care actions meant for me (retired ones too): the ones I review."""
        return [a for a in self.core(m.CARE) if a.get("for") == self.me and a.author != self.me]

    def review(self, action_ref: str, verdict: str, week: str | None = None) -> Record:
        """The receiver's word on one of the partner's care actions for a week."""
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
        fields = {"action": action.id, "week": week, "verdict": verdict}
        self.commit([self.op("create", rid, m.REVIEW, fields)])
        return self._present(rid, m.REVIEW)
