"""What a desktop notification says: who and what kind, never the content unless opted into.

A notification may show on a locked screen, so by default it names the partner and the kind
of thing that arrived, and nothing of what it says. A partner's ticks and rests never make a
notification, and nothing counts anyone's effort (DESIGN §10).
"""

from __future__ import annotations

from companion.domain.text import inert
from companion.service import arrivals as a

TITLE = "companion"
# What is worth a notification while the app is closed, and how each reads after the name.
NOTIFY_WORDS = {
    a.NOTE: "sent you a note",
    a.CHECKIN_SHARED: "shared this week's check-in",
    a.CHECKIN_OPEN: "opened their check-in to you",
    a.AGREEMENT_PROPOSED: "proposed an agreement",
    a.AGREEMENT_RETIRE_ASKED: "would like to retire an agreement",
    a.PAUSE: "needs a pause",
    a.SUPPORT_ASKED: "could use support tonight",
    a.SUPPORT_ANSWERED: "answered your request for support",
}
# A note's words, when shown at all, are cut to this many characters.
TEXT_LIMIT = 160
# Many notification services read a notification's body as markup: what a person wrote
# can't become a tag or a link there, and shows the same where the body is plain text.
_NO_MARKUP = str.maketrans({"<": "‹", ">": "›", "&": "\uff06"})


def shown(text: str) -> str:
    """Text from a record (a name, a note's words) as a notification may carry it."""
    return inert(text).translate(_NO_MARKUP)


def worth_telling(kinds: list[str]) -> list[str]:
    """The kinds among `kinds` that make a notification, in order."""
    return [kind for kind in kinds if kind in NOTIFY_WORDS]


def arrival_message(name: str, kinds: list[str], texts: list[str] | None = None) -> str:
    """One line for everything that arrived: "Sam sent you a note and proposed an agreement."
    With `texts` (the separate opt-in) the notes' words follow, each cut short."""
    said = [NOTIFY_WORDS[kind] for kind in worth_telling(kinds)]
    if len(said) > 1:
        said = [", ".join(said[:-1]) + " and " + said[-1]]
    line = f"{shown(name)} {said[0]}." if said else ""
    for text in texts or []:
        words = shown(" ".join(text.split()))
        if len(words) > TEXT_LIMIT:
            words = words[: TEXT_LIMIT - 1].rstrip() + "…"
        line += f"\n“{words}”"
    return line


def reminder_message(name: str, checkin_day: bool) -> str:
    """The evening reminder: an open door, never a count or a streak."""
    line = f"Your evening with {shown(name)} is here when you are."
    if checkin_day:
        line += " It's your check-in day too, if you both have the room for it."
    return line
