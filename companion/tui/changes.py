"""The changes a person makes from the screens, run in a worker while holding the session.

Each returns the quiet sentence the screen shows afterwards (or None to say nothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion.domain import consent
from companion.domain import model as m
from companion.domain.words import VERDICT_LABELS
from companion.errors import UsageError
from companion.tui.read.tonight import WEEKDAY_NAMES

if TYPE_CHECKING:
    from companion.service import Session


def tick(session: Session, action_id: str, status: str | None) -> str | None:
    """Done or skipped (low energy) for today; None takes today's tick back."""
    session.tick(action_id, session.today(), skip=status == m.SKIPPED, undo=status is None)
    return "Rest is care too." if status == m.SKIPPED else None


def send_note(session: Session, text: str) -> str:
    from companion.views import delivered, waiting_line

    note = session.add_gratitude(text)
    if delivered(session):
        return f"Sent to {session.name_of(note.get('to'))}."
    return waiting_line(session)


def mark_landed(session: Session, note_id: str) -> str:
    note = session.resolve_note(note_id)
    from companion.views import delivered, waiting_line

    session.mark_notes([note], read=True, landed=True)
    if delivered(session):
        return f"{session.name_of(note.author)} will see that it landed."
    return waiting_line(session)


def add_need(session: Session, text: str) -> str:
    session.add_need(text)
    return "Added to your care menu."


def add_care(session: Session, title: str, cadence: str, need_id: str | None = None) -> str:
    action = session.add_care(title, cadence, need_ref=need_id)
    when = m.describe_cadence(action.get("cadence"), action.get("days"))
    return f"Care action added: {action.get('title')} ({when})."


def retire(session: Session, kind: str, record_id: str) -> str:
    record = session.retire(kind, record_id)
    if kind == "agreement" and consent.state(record) == consent.RETIRING:
        partner = session.name_of(session.partner)
        if not record.get("accepted_by"):
            return f"Asked. {partner} will see it; it is set aside once they agree."
        return f"Asked. It holds until {partner} agrees to retire it too."
    if kind == "agreement":
        return "Retired. Talk it over together if it needs a new shape."
    return f"Retired: {record.get('title') or record.get('text')}. It stays in your history."


def propose(session: Session, text: str) -> str:
    session.propose_agreement(text)
    return f"Proposed. It holds once {session.name_of(session.partner)} accepts it."


def talk_first(session: Session, agreement_id: str) -> str:
    session.talk_first(agreement_id)
    return f"{session.name_of(session.partner)} will see you'd like to talk it over first."


def accept(session: Session, agreement_id: str) -> str:
    session.accept_agreement(agreement_id)
    return "Agreed. You'll both see it here."


def share_checkin(session: Session, answers: dict[str, Any]) -> str:
    session.checkin(None, **answers)
    if session.checkin_state().both_submitted:
        return "Shared. You've both shared: read them side by side."
    return f"Shared. It stays sealed until {session.name_of(session.partner)} shares theirs."


def reflect(session: Session, words: str, share: bool) -> str:
    kept = session.reflect(words, share=share)
    partner = session.name_of(session.partner)
    return f"Shared with {partner}." if kept.shared else f"Kept for you; {partner} can't read it."


def set_focus(session: Session, text: str) -> str:
    session.set_focus(text)
    return f"Next week's focus is set; {session.name_of(session.partner)} sees it too."


def unseal_checkin(session: Session) -> str:
    session.unseal_checkin()
    return f"Unsealed: {session.name_of(session.partner)} can read yours now."


def review(
    session: Session, action_id: str, verdict: str, week: str | None, note: str | None = None
) -> str:
    session.review(action_id, verdict, week, note=note)
    if note is not None:
        return f"{session.name_of(session.partner)} will see your words." if note else "Taken back."
    return f"Noted: {VERDICT_LABELS[verdict]}."


# -- this device and the two of us (Settings) -----------------------------------------------


def mark_seen(session: Session, stamp: str) -> None:
    """What arrived up to `stamp` has been on screen; it is "new" no more on later runs."""
    if stamp > session.seen_until():
        session.mark_seen(stamp)


def mark_shown(session: Session, stamp: str, read: list[str]) -> None:
    """Tonight has shown the notes `read` (ids) and what arrived up to `stamp` (if any)."""
    notes = [note for note in map(session.note, read) if note is not None]
    if notes:
        session.mark_notes(notes, read=True)
    if stamp:
        mark_seen(session, stamp)


def rename(session: Session, name: str) -> str:
    record = session.rename(name)
    return f"You're {record.get('name')} now; {session.name_of(session.partner)} sees it too."


def approve_device(session: Session, code: str) -> str:
    """Confirm the waiting device that shows `code`."""
    chosen = session.approve_device(code)
    return f"Approved {chosen.owner}'s device {chosen.label}. Its changes come in now."


def set_checkin_day(session: Session, weekday: int) -> str:
    session.set_checkin_day(weekday)
    return f"Your check-in day is {WEEKDAY_NAMES[weekday]}."


def set_theme(session: Session, theme: str) -> None:
    if session.preference("theme") != theme:
        session.set_preference("theme", theme)


def remember(session: Session, allow_file: bool) -> str:
    where = session.remember(allow_file=allow_file)
    if where == "keychain":
        return "Remembered in this system's keychain: it opens without the passphrase here."
    return "Remembered in a key file in your profile: it opens without the passphrase here."


def forget(session: Session) -> str:
    session.forget()
    return "Forgotten: this device asks for the passphrase again."


def change_passphrase(session: Session, passphrase: str) -> str:
    session.change_passphrase(passphrase)
    partner = session.name_of(session.partner) if session.partner else "your partner"
    return (
        f"Passphrase changed. Tell {partner} in person: their app asks for the new one "
        "next time it unlocks."
    )


def export(session: Session, fmt: str, path: str) -> str:
    target = Path(path.strip()).expanduser()
    if not path.strip():
        raise UsageError("Type where the export should go.", "For example ~/our-journal.md")
    if target.is_dir():
        raise UsageError(f"{target} is a folder.", "Add a file name to the path.")
    if not target.parent.is_dir():
        raise UsageError(
            f"The folder {target.parent} doesn't exist.", "Create it first, or choose another."
        )
    from companion import views

    text = views.EXPORTERS[fmt](session)
    from companion.service import write_export

    write_export(target, text)
    return f"Exported to {target}. It is not encrypted: keep it somewhere private."


def set_notify(session: Session, **change: Any) -> str:
    """This device's notifications: on or off, a note's words, the reminder, quiet hours."""
    after = session.set_notify(**change)
    if "remind_at" in change:
        return f"Evening reminder at {after.remind_at}." if after.remind_at else "No reminder."
    if "quiet" in change:
        return f"Quiet hours {'–'.join(after.quiet)}." if after.quiet else "No quiet hours."
    if "show_text" in change:
        return "A note's words will show." if after.show_text else "Only who sent what."
    return "Notifications on." if after.enabled else "Notifications off on this device."
