"""Agreements (proposed by one partner, accepted by the other), and retiring things.

Retiring takes a need, a care action or an agreement out of use; its history stays.
"""

from __future__ import annotations

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

    def accept_agreement(self, ref: str) -> Record:
        agreement = resolve(ref, self.core(m.AGREEMENT), lambda r: r.get("text", ""), "agreement")
        if agreement.get("status") != m.PROPOSED:
            raise UsageError(f"That agreement is already {agreement.get('status')}.")
        if agreement.author == self.me:
            raise UsageError(
                "You proposed this agreement; it is your partner's to accept.",
            )
        self.commit(
            [
                self.op(
                    "set", agreement.id, m.AGREEMENT, {"status": m.ACCEPTED, "accepted_by": self.me}
                )
            ]
        )
        return self._present(agreement.id, m.AGREEMENT)

    def retire(self, kind: str, ref: str) -> Record:
        record_type, label = _RETIRABLE[kind]
        candidates = [
            r
            for r in self.core(record_type)
            if not r.get("retired") and r.get("status") != m.RETIRED
        ]
        if record_type in (m.NEED, m.CARE):
            candidates = [r for r in candidates if r.author == self.me]
        record = resolve(ref, candidates, title_of, label)
        fields = {"status": m.RETIRED} if record_type == m.AGREEMENT else {"retired": True}
        self.commit([self.op("set", record.id, record_type, fields)])
        return self._present(record.id, record_type)
