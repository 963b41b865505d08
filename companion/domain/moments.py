"""The evening's moments as rules: how long a pause may be, when an evening ends, which
agreement is about pausing, and whether a note names what the partner did or how it landed.

Pure: every function takes the time (ms) and the local zone's datetimes from its caller.
"""

from __future__ import annotations

import datetime as dt
import re

from companion.domain import model as m
from companion.domain.hlc import stamp_ms
from companion.domain.ids import id_ms
from companion.errors import UsageError

MINUTE_MS = 60 * 1000
# Why a pause has the length it has, in the app's own words (shown when a length is refused).
WHY_AT_LEAST = (
    "A pause is at least 20 minutes: when a talk turns hot, the body's alarm (a racing "
    "heart, a tight chest) takes about twenty minutes to settle, and coming back sooner "
    "often picks the argument up where it was."
)
WHY_WITHIN_A_DAY = (
    "A pause comes back within a day: much longer, and the one waiting is left not knowing, "
    "which hurts in its own way. Come back, even briefly, and pause again if you need to."
)


def pause_until(
    now: dt.datetime, minutes: int | None = None, until: str | None = None
) -> dt.datetime:
    """When a pause started `now` (local, aware) ends: after `minutes`, or at `until`
    (HH:MM, the next time the clock shows it), within the limits the practice keeps."""
    if minutes is not None and until is not None:
        raise UsageError("Give either a number of minutes or a time to come back, not both.")
    if until is not None:
        back = _at(now, until)
        minutes_long = (back - now) / dt.timedelta(minutes=1)
    else:
        minutes_long = m.PAUSE_DEFAULT_MINUTES if minutes is None else minutes
        back = now + dt.timedelta(minutes=minutes_long)
    if minutes_long < m.PAUSE_MIN_MINUTES:
        raise UsageError(WHY_AT_LEAST, "Choose 20 minutes or more.")
    if minutes_long > m.PAUSE_MAX_MINUTES:
        raise UsageError(WHY_WITHIN_A_DAY, "Choose a time within the next 24 hours.")
    return back


def _at(now: dt.datetime, text: str) -> dt.datetime:
    found = re.fullmatch(r"\s*(\d{1,2})[:.h](\d{2})\s*", text or "")
    hour, minute = (int(found[1]), int(found[2])) if found else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise UsageError(f"'{text}' is not a time of day.", "Write it as HH:MM, e.g. 21:30.")
    back = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return back if back > now else back + dt.timedelta(days=1)


def evening_end(now: dt.datetime) -> dt.datetime:
    """When tonight is over (local): the next time it is EVENING_ENDS_HOUR in the morning."""
    end = now.replace(hour=m.EVENING_ENDS_HOUR, minute=0, second=0, microsecond=0)
    return end if end > now else end + dt.timedelta(days=1)


def shown_until(started_ms: int, until_ms: int) -> int:
    """A pause's end as a reader takes it: never more than a day after it began, whatever a
    partner's app wrote (the author's app keeps the limit; this keeps the reader's)."""
    return min(until_ms, started_ms + m.PAUSE_MAX_MINUTES * MINUTE_MS)


def evening_until(asked_ms: int, until_ms: int) -> int:
    """A request's end as a reader takes it: at most a day and a night after it was asked
    (an evening ends at most 24 hours on; the rest is slack for clocks and zones)."""
    return min(until_ms, asked_ms + 30 * 60 * MINUTE_MS)


_PAUSING = re.compile(r"\b(paus|break|time.?out|step away|cool)", re.IGNORECASE)


def about_pausing(text: str) -> bool:
    """Whether an agreement's words are about pausing a conflict."""
    return _PAUSING.search(text or "") is not None


def within_unsend_window(sent_ms: int, now_ms: int) -> bool:
    """Whether a note sent at `sent_ms` (its author's clock) may still be taken back.

    A clock set back since (now before sent) counts the same distance the other way.
    """
    return abs(now_ms - sent_ms) <= m.UNSEND_WINDOW_MS


def removal_in_time(note_id: str, created: str, stamp: str) -> bool:
    """Whether a note's removal stamped `stamp` falls within the window of its sending, as the
    recipient judges it, by the author's own times: the later of the note's id and its
    create's stamp (`created`, "" if unknown), which follows a partner's clock running ahead
    as the removal's stamp does."""
    sent = max(id_ms(note_id), stamp_ms(created) if created else 0)
    return stamp_ms(stamp) - sent <= m.UNSEND_WINDOW_MS + m.UNSEND_ALLOWANCE_MS


# -- a note with a second thought -----------------------------------------------------------

_THANKS = re.compile(r"\b(thank\s*you|thanks|thx|ty)\b", re.IGNORECASE)
# What the partner did: "you …", "your …", "for …", or something that happened.
_DID = re.compile(r"\b(you|your|yours|for|when|after|because)\b|\b\w{3,}(ed|ing)\b", re.IGNORECASE)
# How it landed: a feeling, or what it did for me.
_LANDED = re.compile(
    r"\b(i|it)\s+(felt|feel|was|am|could|can)\b|\b(felt|feel|meant|made me|helped|lighter|"
    r"calm|relieved|heard|seen|safe|loved|cared|grateful|glad|happy|warm|easier|moved|"
    r"touched|supported|breathe)\b",
    re.IGNORECASE,
)

NOTE_SUGGESTION = (
    "A thought before it goes: notes land best when they say what your partner did and how it "
    "felt for you, e.g. “You made tea when I got home; I felt looked after.”"
)


def note_suggestion(text: str) -> str | None:
    """One gentle suggestion for a note that names neither what the partner did nor how it
    landed; None for a note that names either."""
    rest = _THANKS.sub(" ", text or "")
    if _DID.search(rest) or _LANDED.search(rest):
        return None
    return NOTE_SUGGESTION
