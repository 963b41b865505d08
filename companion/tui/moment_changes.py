"""The evening's moments as changes from Tonight, run in a worker holding the session.

Each returns the quiet sentence Tonight shows afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from companion.service import Session


def _sent(session: Session, done: str) -> str:
    from companion.views import delivered, waiting_line

    return done if delivered(session) else waiting_line(session)


def start_pause(session: Session, minutes: int | None, until: str | None, note: str) -> str:
    record = session.start_pause(minutes, until, note or None)
    back = session.clock_time(int(record.get("until")))
    partner = session.name_of(session.partner)
    return _sent(session, f"Pausing until {back}. {partner} sees you'll be back then.")


def end_pause(session: Session) -> str:
    session.end_pause()
    return _sent(session, f"Your pause is over; {session.name_of(session.partner)} sees it.")


def ask_support(session: Session, word: str) -> str:
    session.ask_support(word or None)
    partner = session.name_of(session.partner)
    return _sent(session, f"{partner} will see that you could use support tonight.")


def end_support(session: Session) -> str:
    session.end_support()
    return _sent(session, "Taken back. Glad you're all right.")


def answer_support(session: Session, need_id: str) -> str:
    record = session.answer_support(need_id)
    asker = session.name_of(record.author)
    return _sent(session, f"{asker} will see: “{record.get('answer')}”.")


def take_repair(session: Session, pause_id: str, again: str, understood: str, share: bool) -> str:
    session.take_repair(pause_id, again, understood, share=share)
    if share:
        return _sent(session, f"Shared with {session.name_of(session.partner)}.")
    return "Kept for you, on this device only."


def unsend(session: Session) -> str:
    session.unsend_note()
    partner = session.name_of(session.partner)
    return _sent(session, f"Taken back: it's gone from both your apps. {partner} may have read it.")
