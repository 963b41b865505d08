"""Agreements (proposed by one partner, accepted by the other, retired when both agree), and
retiring things.

Retiring takes a need, a care action or an agreement out of use; its history stays. A need or
a care action is its owner's to retire; an accepted agreement is retired once both partners
have asked to (domain/consent.py), and either may say "let's talk first" instead.
"""

from __future__ import annotations

from companion.domain import consent
from companion.domain import model as m
from companion.domain.records import Record
from companion.errors import UsageError
from companion.service.core import SessionCore
from companion.service.lookup import resolve, title_of

_RETIRABLE = {
    "need": (m.NEED, "need"),
    "care": (m.CARE, "care action"),
    "agreement": (m.AGREEMENT, "agreement"),
}


class AgreementsPart(SessionCore):
    """Agreements and retiring, for a Session."""

    def propose_agreement(self, text: str) -> Record:
        fields = {
            "text": m.clean_text(text, "agreement"),
            "status": m.PROPOSED,
            "accepted_by": None,
        }
        [rec] = self.commit([self.op("create", self.new_id(), m.AGREEMENT, fields)])
        return rec

    def _agreement(self, ref: str) -> Record:
        return resolve(ref, self.core(m.AGREEMENT), lambda r: r.get("text", ""), "agreement")

    def accept_agreement(self, ref: str) -> Record:
        agreement = self._agreement(ref)
        state = consent.state(agreement)
        if state != m.PROPOSED:
            said = "being retired" if state == consent.RETIRING else state
            raise UsageError(f"That agreement is already {said}.")
        if agreement.author == self.me:
            raise UsageError(
                "You proposed this agreement; it is your partner's to accept.",
            )
        fields: dict[str, str | None] = {"status": m.ACCEPTED, "accepted_by": self.me}
        if agreement.get(consent.OTHER_TALK) is not None:
            fields[consent.OTHER_TALK] = None  # talked it over
        self.commit([self.op("set", agreement.id, m.AGREEMENT, fields)])
        return self._present(agreement.id, m.AGREEMENT)

    def talk_first(self, ref: str) -> Record:
        """Say "let's talk first" to what the partner asks of this agreement: to accept their
        proposal, or to retire it."""
        candidates = [a for a in self.core(m.AGREEMENT) if self._asked_of_me(a)]
        agreement = resolve(
            ref, candidates, lambda r: r.get("text", ""), "agreement waiting for your answer"
        )
        state = consent.state(agreement)
        subject = m.PROPOSED if state == m.PROPOSED else m.RETIRED
        field = consent.talk_field(agreement, self.me)
        self.commit([self.op("set", agreement.id, m.AGREEMENT, {field: subject})])
        return self._present(agreement.id, m.AGREEMENT)

    def _asked_of_me(self, agreement: Record) -> bool:
        state = consent.state(agreement)
        if state == m.PROPOSED:
            return agreement.author != self.me
        return state == consent.RETIRING and not consent.has_retired(agreement, self.me)

    def retire(self, kind: str, ref: str) -> Record:
        """Retire a need or care action of one's own; for an agreement (or a proposal of one's
        own), give one's consent to retire it: it is retired once both have."""
        record_type, label = _RETIRABLE[kind]
        if record_type == m.AGREEMENT:
            return self._retire_agreement(ref)
        candidates = [
            r for r in self.core(record_type) if not r.get("retired") and r.author == self.me
        ]
        record = resolve(ref, candidates, title_of, label)
        self.commit([self.op("set", record.id, record_type, {"retired": True})])
        return self._present(record.id, record_type)

    def _retire_agreement(self, ref: str) -> Record:
        candidates = [a for a in self.core(m.AGREEMENT) if consent.state(a) != m.RETIRED]
        agreement = resolve(ref, candidates, title_of, "agreement")
        state = consent.state(agreement)
        if state == m.PROPOSED and agreement.author != self.me:
            raise UsageError(
                "That is your partner's proposal, not yet an agreement.",
                hint="Accept it, or tell them you'd like to talk first (companion talk-first).",
            )
        if consent.has_retired(agreement, self.me):
            raise UsageError(
                "You've asked to retire that agreement already; it waits for your partner."
            )
        fields: dict[str, object] = {consent.retires_field(agreement, self.me): True}
        talk = consent.talk_field(agreement, self.me)
        if agreement.get(talk) is not None:
            fields[talk] = None
        self.commit([self.op("set", agreement.id, m.AGREEMENT, fields)])
        return self._present(agreement.id, m.AGREEMENT)
