"""The changes a person makes from the screens, run in a worker while holding the session.

Each returns the quiet sentence the screen shows afterwards (or None to say nothing).
"""

from __future__ import annotations

from typing import Any

from companion.domain import model as m
from companion.service import Session


def tick(session: Session, action_id: str, status: str | None) -> str | None:
    """Done or skipped (low energy) for today; None takes today's tick back."""
    session.tick(action_id, session.today(), skip=status == m.SKIPPED, undo=status is None)
    return "Rest is care too." if status == m.SKIPPED else None


def send_note(session: Session, text: str) -> str:
    note = session.add_gratitude(text)
    return f"Sent to {session.name_of(note.get('to'))}."


def mark_landed(session: Session, note_id: str) -> str:
    note = session.resolve_note(note_id)
    session.mark_notes([note], read=True, landed=True)
    return f"{session.name_of(note.author)} will see that it landed."


def add_need(session: Session, text: str) -> str:
    session.add_need(text)
    return "Added to your care menu."


def add_care(session: Session, title: str, cadence: str, need_id: str | None = None) -> str:
    action = session.add_care(title, cadence, need_ref=need_id)
    when = m.describe_cadence(action.get("cadence"), action.get("days"))
    return f"Care action added: {action.get('title')} ({when})."


def retire(session: Session, kind: str, record_id: str) -> str:
    record = session.retire(kind, record_id)
    if kind == "agreement":
        return "Retired. Talk it over together if it needs a new shape."
    return f"Retired: {record.get('title') or record.get('text')}. It stays in your history."


def propose(session: Session, text: str) -> str:
    session.propose_agreement(text)
    return f"Proposed. It holds once {session.name_of(session.partner)} accepts it."


def accept(session: Session, agreement_id: str) -> str:
    session.accept_agreement(agreement_id)
    return "Agreed. You'll both see it here."


def share_checkin(session: Session, answers: dict[str, Any]) -> str:
    session.checkin(None, **answers)
    if session.checkin_state().both_submitted:
        return "Shared. You've both shared: read them side by side."
    return f"Shared. It stays sealed until {session.name_of(session.partner)} shares theirs."


def unseal_checkin(session: Session) -> str:
    session.unseal_checkin()
    return f"Unsealed: {session.name_of(session.partner)} can read yours now."


def review(session: Session, action_id: str, verdict: str, week: str | None) -> str:
    session.review(action_id, verdict, week)
    return f"Noted: {verdict.replace('-', ' ')}."
