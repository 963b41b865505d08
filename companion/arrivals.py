"""What the partner's devices brought in a sync pass, said in one quiet sentence.

The reading is the service's (service/arrivals.py), shared with notifications; this is how
the app's pop-up and `watch`'s log say it.
"""

from __future__ import annotations

from collections.abc import Iterable

from companion.domain.records import Record
from companion.service import Session
from companion.service.arrivals import arrivals


def describe_arrivals(session: Session, records: Iterable[Record]) -> str | None:
    """One quiet sentence about what the partner's devices sent, or None."""
    found = arrivals(session, records)
    if not found.said and found.others:
        return f"{found.others} change(s) arrived from your other devices."
    if not found.said:
        return None
    text = "; ".join(found.said)
    return f"{text[0].upper()}{text[1:]}."
