"""What Gratitude shows: the notes each way, newest first, and a nudge for the one being written."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.domain import model as m
from companion.domain.ids import month_partition
from companion.tui.read.tonight import (
    RECENT_NOTE_DAYS,
    NoteRow,
    People,
    Since,
    is_new_to_me,
    note_row,
    people,
    unread_to_me,
)

if TYPE_CHECKING:
    from companion.domain.records import Record
    from companion.service import Session

# Gratitude shows this many notes each way, and as many more on request.
NOTES_SHOWN = 60


@dataclass(frozen=True)
class Gratitude:
    people: People
    inbox: list[NoteRow]
    sent: list[NoteRow]
    # The notes to me shown unread, by id: marked read once they are on screen.
    to_mark_read: list[str]
    # Older notes exist than those shown (either way).
    more: bool


def gratitude(session: Session, since: Since, limit: int = NOTES_SHOWN) -> Gratitude:
    """The newest `limit` notes each way, reading month by month from the newest.

    Each step of `limit` (NOTES_SHOWN at a time) also reaches RECENT_NOTE_DAYS further back,
    so a quiet couple's screen doesn't read ten years to find sixty notes.
    """
    today = session.today()
    me = session.me
    steps = max(1, -(-limit // NOTES_SHOWN))
    reach = month_partition(today - dt.timedelta(days=RECENT_NOTE_DAYS * steps))
    months = sorted(session.months(), reverse=True)
    received: list[Record] = []
    sent: list[Record] = []
    read_all = True
    for month in months:
        if month < reach or (len(received) > limit and len(sent) > limit):
            read_all = False
            break
        for note in session.dated([m.GRATITUDE], [month]):
            if note.author == me:
                sent.append(note)
            elif note.get("to") == me:
                received.append(note)
    received.sort(key=lambda n: n.created, reverse=True)
    sent.sort(key=lambda n: n.created, reverse=True)
    shown_in = received[:limit]
    names = session.partners()
    return Gratitude(
        people(session),
        [note_row(session, n, today, is_new_to_me(n, me, since.notes), names) for n in shown_in],
        [note_row(session, n, today, names=names) for n in sent[:limit]],
        [note.id for note in unread_to_me(shown_in, me)],
        more=len(received) > limit or len(sent) > limit or not read_all,
    )


_FEELING = re.compile(
    r"\b(felt|feel|feeling|meant|made me|helped|grateful|thankful|loved|relieved|calm|seen|"
    r"heard|cared|supported|lighter|happy|warm|safe|touched|moved)\b",
    re.IGNORECASE,
)


def note_hint(text: str, partner: str) -> str:
    """A gentle nudge toward specifics: what they did, and how it landed."""
    words = text.split()
    if not words:
        return f"Name one thing {partner} did, however small, and how it landed for you."
    if len(words) < 6:
        return "A detail helps it land: what exactly did they do, and when?"
    if not _FEELING.search(text):
        return 'And how did it feel for you? ("I felt…", "it meant…")'
    return "That's specific and kind. ctrl+s sends it."
