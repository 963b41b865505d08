"""Asking for support tonight, and answering with one act from the asker's care menu.

A request is its asker's record (a word, until when it lasts: the end of the evening); its
answer is the partner's to write. Nothing here counts requests or answers.
"""

from __future__ import annotations

from typing import NamedTuple

from companion.domain import model as m
from companion.domain import moments
from companion.domain.ids import id_ms
from companion.domain.records import Record
from companion.errors import UsageError
from companion.service.lookup import resolve
from companion.service.pauses import Pause, PausesPart


class Request(NamedTuple):
    """A request for support in effect: whose, and the care menu the answer comes from."""

    record: Record
    mine: bool
    menu: list[Record]


class SupportPart(PausesPart):
    """Requests for support, for a Session."""

    def ask_support(self, word: str | None = None) -> Record:
        """ "I could use support tonight", with an optional word; it lasts the evening."""
        if self.partner is None:
            raise UsageError(
                "Your partner hasn't joined this space yet, so there is no one to ask here.",
                "Once they run `companion join`, your request reaches them.",
            )
        if self.my_request() is not None:
            raise UsageError(
                "You've asked for support tonight already; it's there for your partner to see.",
                "`companion support --end` takes it back if you're all right now.",
            )
        until = moments.evening_end(self.local_now())
        fields: dict[str, object] = {
            "until": int(until.timestamp() * 1000),
            "answer": None,
            "answer_need": None,
            "ended": False,
        }
        if word is not None and word.strip():
            fields["word"] = m.clean_text(word, "word", limit=m.MAX_WORD)
        [record] = self.commit([self.op("create", self.new_id(), m.SUPPORT, fields)])
        return record

    def requests(self) -> list[Request]:
        """Requests for support in effect tonight, newest first."""
        now = self.now()
        found = self.dated([m.SUPPORT], self.recent_partitions(self.today(), 2))
        live = [
            r
            for r in sorted(found, key=lambda r: r.created, reverse=True)
            if not r.get("ended") and moments.evening_until(id_ms(r.id), r.get("until", 0)) > now
        ]
        return [Request(r, r.author == self.me, self.care_menu(r.author)) for r in live]

    def care_menu(self, partner_id: str) -> list[Record]:
        """A partner's care menu: what care looks like for them."""
        return [n for n in self.core(m.NEED) if n.author == partner_id and not n.get("retired")]

    def my_request(self) -> Request | None:
        return next((r for r in self.requests() if r.mine), None)

    def partner_request(self) -> Request | None:
        return next((r for r in self.requests() if not r.mine), None)

    def answer_support(self, act: str) -> Record:
        """Answer my partner's request with one act from their care menu (their words)."""
        request = self.partner_request()
        if request is None:
            raise UsageError(
                f"{self.name_of(self.partner)} hasn't asked for support tonight.",
                "`companion tonight` shows what is going on this evening.",
            )
        fields: dict[str, object]
        if request.menu:
            need = resolve(act, request.menu, lambda r: r.get("text", ""), "care menu item")
            fields = {"answer": need.get("text"), "answer_need": need.id}
        else:  # nothing on their menu yet: the answer is in my own words
            fields = {"answer": m.clean_text(act, "answer"), "answer_need": None}
        self.commit([self.op("set", request.record.id, m.SUPPORT, fields)])
        return self._present(request.record.id, m.SUPPORT)

    def end_support(self) -> Record:
        """Take back my request (I'm all right now)."""
        request = self.my_request()
        if request is None:
            raise UsageError("You haven't asked for support tonight.")
        self.commit([self.op("set", request.record.id, m.SUPPORT, {"ended": True})])
        return self._present(request.record.id, m.SUPPORT)


class Moments(NamedTuple):
    """What this evening holds beyond the care: a pause, requests for support, repair steps
    waiting for me, and our agreement about pausing (when there is a pause to go with it)."""

    pause: Pause | None
    requests: list[Request]
    repairs: list[Pause]
    agreement: Record | None
    # what my partner chose to share after a recent pause
    shared: list[Record]


class MomentsPart(SupportPart):
    """The evening's moments read together, for Tonight and `companion tonight`."""

    def moments(self) -> Moments:
        repairs = self.repairs_due()
        pause = self.pause_in_effect()
        return Moments(
            pause=pause,
            requests=self.requests(),
            repairs=repairs,
            agreement=self.pause_agreement() if (pause or repairs) else None,
            shared=[r for r in self.recent_repairs() if r.author != self.me],
        )
