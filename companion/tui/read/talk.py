"""What the check-in's "Talking it over" tab shows once both check-ins are open: each guess
beside the other's own word on their week, the guide, how it went, one focus for next week.

Each guess is read beside what the other wrote about their *own* week ("How this week felt
for me"): the same question from two sides, so the comparison says something. Without that
answer (an older check-in, or left empty) the other's energy stands in, if they gave it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from companion.domain.checkin_fields import ENERGY_LABELS, GUESS, OWN_WORD
from companion.domain.ids import next_week
from companion.domain.text import inert
from companion.tui.read.tonight import week_label

if TYPE_CHECKING:
    from companion.service import Session
    from companion.service.talk import Focus

# The guide, in three turns of a good talk.
GUIDE = (
    ("Take turns", "one of you speaks, the other listens to the end."),
    ("Say back what you heard", "before answering, “What I heard is …; is that right?”"),
    ("Describe moments, not people", "“on Tuesday, when …” rather than “you always …”."),
)


@dataclass(frozen=True)
class Pair:
    """One partner's week: the other's guess at it, beside their own word on it."""

    whose: str  # whose week: "your", "Sam's"
    guessed_by: str  # "You", "Sam"
    guess: str | None
    own: str | None


@dataclass(frozen=True)
class ShownFocus:
    text: str
    whose: str  # "your words", "Sam's words"
    other_text: str | None = None
    other_whose: str | None = None
    mine: str = ""  # my own suggestion, to start from when I change it


@dataclass(frozen=True)
class Talk:
    """The tab's content; `ready` once both check-ins are open here."""

    ready: bool
    partner: str
    pairs: tuple[Pair, ...] = ()
    mine: str | None = None  # my words on how it went (this device can open them)
    mine_shared: bool = False
    theirs: str | None = None  # theirs, only once they have shared them
    focus: ShownFocus | None = None  # suggested for next week
    focus_week: str = ""


def _own_word(answers: dict[str, Any]) -> str | None:
    if answers.get(OWN_WORD):
        return str(answers[OWN_WORD])
    energy = answers.get("energy")
    return f"(energy {energy} of 5 · {ENERGY_LABELS[energy]})" if energy in ENERGY_LABELS else None


def shown_focus(session: Session, focus: Focus | None) -> ShownFocus | None:
    """A focus with whose words it is, as the reader says it."""
    if focus is None:
        return None

    def whose(author: str | None) -> str:
        return "your words" if author == session.me else f"{session.name_of(author)}'s words"

    mine = focus.text if focus.author == session.me else None
    if focus.other_author == session.me:
        mine = focus.other_text
    return ShownFocus(
        inert(focus.text),
        inert(whose(focus.author)),
        None if focus.other_text is None else inert(focus.other_text),
        None if focus.other_text is None else inert(whose(focus.other_author)),
        mine or "",
    )


def talk(
    session: Session, week: str, mine: dict[str, Any] | None, theirs: dict[str, Any] | None
) -> Talk:
    """The tab for `week`, given both check-ins' shown answers (theirs None until open)."""
    partner = inert(session.name_of(session.partner)) if session.partner else "your partner"
    if mine is None or theirs is None or mine.get("sealed") is True:
        return Talk(ready=False, partner=partner)
    pairs = (
        Pair(f"{partner}'s", "You", mine.get(GUESS), _own_word(theirs)),
        Pair("your", partner, theirs.get(GUESS), _own_word(mine)),
    )
    my_words = session.reflection_of(session.me, week)
    their_words = session.reflection_of(session.partner, week)
    return Talk(
        ready=True,
        partner=partner,
        pairs=pairs,
        mine=None if my_words is None else inert(my_words.words, multiline=True),
        mine_shared=my_words is not None and my_words.shared,
        theirs=None if their_words is None else inert(their_words.words, multiline=True),
        focus=shown_focus(session, session.focus_after(week)),
        focus_week=week_label(next_week(week)),
    )
