"""The record types of the practice, their fields, and the checks on what people type."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import Any

from companion.domain.ids import iso_week, week_monday
from companion.domain.text import unsafe_in
from companion.errors import UsageError

PARTNER = "partner"
DEVICE = "device"
NEED = "need"
CARE = "care"
TICK = "tick"
GRATITUDE = "gratitude"
CHECKIN = "checkin"
REVIEW = "review"
AGREEMENT = "agreement"
# One device vouching for another device's key (see sync/trust.py).
APPROVAL = "approval"
# Moments of an evening (domain/moments.py): a pause, a request for support, a repair shared.
PAUSE = "pause"
SUPPORT = "support"
REPAIR = "repair"
# After the reveal: each partner's suggested focus for next week, and "how did that go?"
FOCUS = "focus"
REFLECTION = "reflection"

RECORD_TYPES = (
    PARTNER,
    DEVICE,
    NEED,
    CARE,
    TICK,
    GRATITUDE,
    CHECKIN,
    REVIEW,
    AGREEMENT,
    APPROVAL,
    PAUSE,
    SUPPORT,
    REPAIR,
    FOCUS,
    REFLECTION,
)
# Records that belong to a day or a week live in monthly partitions keyed by their id's time;
# the rest (names, menus, actions, agreements) are few and live together.
DATED_TYPES = frozenset(
    {TICK, GRATITUDE, CHECKIN, REVIEW, PAUSE, SUPPORT, REPAIR, FOCUS, REFLECTION}
)

DONE = "done"
SKIPPED = "skipped"
TICK_STATUSES = (DONE, SKIPPED)

REVIEW_VERDICTS = ("landed", "missed", "not-needed")

PROPOSED = "proposed"
ACCEPTED = "accepted"
RETIRED = "retired"
AGREEMENT_STATUSES = (PROPOSED, ACCEPTED, RETIRED)

DAILY = "daily"
WEEKDAYS = "weekdays"
DAYS = "days"
WEEKLY = "weekly"
AS_NEEDED = "as-needed"
CADENCES = (DAILY, WEEKDAYS, DAYS, WEEKLY, AS_NEEDED)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

MAX_TEXT = 2000
# A pause's note, a word with a request for support.
MAX_WORD = 200
# A pause lasts from twenty minutes (what a flooded body needs to settle) to a day.
PAUSE_MIN_MINUTES = 20
PAUSE_MAX_MINUTES = 24 * 60
PAUSE_DEFAULT_MINUTES = 30
# A request for support lasts until the night is over: 4 in the morning, the asker's time.
EVENING_ENDS_HOUR = 4
# A sent note may be taken back for this long, by its author's own clock.
UNSEND_WINDOW_MS = 5 * 60 * 1000
# What the recipient's app allows beyond it, judging by the author's stamps: a removal is
# stamped above the partner's changes to the note, which a clock slightly ahead may date later.
UNSEND_ALLOWANCE_MS = 2 * 60 * 1000
MAX_NAME = 40
# The years a record's date or week may fall in: ids encode time from 1970, and readers step
# a week either side of a date, which must not run off the calendar.
FIRST_YEAR = 1970
LAST_YEAR = 9998


def clean_text(text: str | None, what: str, *, limit: int = MAX_TEXT) -> str:
    """Text as it will be stored: trimmed, non-empty, of a sane length."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise UsageError(f"The {what} is empty.", "Write a few words and try again.")
    if len(cleaned) > limit:
        raise UsageError(
            f"The {what} is {len(cleaned)} characters long; the most is {limit}.",
            "Shorten it, or split it in two.",
        )
    # The same characters that every screen shows as � (domain/text.py): terminal controls
    # and the invisible marks that turn text around.
    found = unsafe_in(cleaned)
    if found is not None:
        raise UsageError(
            f"The {what} contains an invisible control character (U+{ord(found):04X}).",
            "Retype it without that character (it often comes with pasted text) and try again.",
        )
    return cleaned


def clean_name(name: str | None) -> str:
    cleaned = clean_text(name, "name", limit=MAX_NAME)
    if "\n" in cleaned:
        raise UsageError("A name fits on one line.", "Use a first name or a nickname.")
    return cleaned


def name_key(name: str) -> str:
    """What two names are compared by: compatibility-normalised, case-folded, spaces joined,
    so that "Sam", "SAM" and "Ｓａｍ" are one name."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


# A partner's record's field: when the space began (ms since the epoch), as that partner's
# first device knew it at `init` or `join` (sync/lifetime.py dates everything by it).
BEGAN = "began"

# How a partner whose name reads as mine is shown to me (see `shown_names`).
TOLD_APART = "{name} (your partner)"


def shown_names(names: Mapping[str, str], me: str) -> dict[str, str]:
    """Partner id → the name to show on a device of `me`: each as they call themselves, but
    never the other under my name (as `name_key` compares them): they get a mark instead.
    It reads only the merged names, so it is the same whatever order the changes came in."""
    mine = names.get(me)
    if mine is None:
        return dict(names)
    key = name_key(mine)
    return {
        pid: TOLD_APART.format(name=name) if pid != me and name_key(name) == key else name
        for pid, name in names.items()
    }


def parse_cadence(text: str) -> tuple[str, list[int]]:
    """'daily', 'weekdays', 'weekly', 'as-needed' or chosen days such as 'mon,thu'."""
    value = (text or "").strip().lower().replace("_", "-").replace(" ", "")
    if value in (DAILY, WEEKDAYS, WEEKLY, AS_NEEDED):
        return value, []
    if value == "asneeded":
        return AS_NEEDED, []
    names = [part[:3] for part in value.split(",") if part]
    if names and all(part in DAY_NAMES for part in names):
        return DAYS, sorted({DAY_NAMES.index(part) for part in names})
    raise UsageError(
        f"'{text}' is not a cadence I know.",
        "Use daily, weekdays, weekly, as-needed, or days such as mon,wed,fri.",
    )


def describe_cadence(cadence: str, days: list[int] | None = None) -> str:
    if cadence == DAYS:
        return ", ".join(DAY_NAMES[d].capitalize() for d in days or [])
    return {
        DAILY: "every day",
        WEEKDAYS: "weekdays",
        WEEKLY: "once a week",
        AS_NEEDED: "as needed",
    }[cadence]


def parse_date(text: str | None, today: dt.date) -> dt.date:
    if text is None or text == "":
        return today
    lowered = text.strip().lower()
    if lowered == "today":
        return today
    if lowered == "yesterday":
        return today - dt.timedelta(days=1)
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"'{text}' is not a date.", "Write it as YYYY-MM-DD, e.g. 2026-11-26."
        ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UsageError(f"{day.isoformat()} is further off than companion keeps records.")
    return day


def parse_energy(value: Any) -> int:
    try:
        energy = int(value)
    except (TypeError, ValueError):
        energy = 0
    if not 1 <= energy <= 5:
        raise UsageError(
            f"Energy is a number from 1 (running on empty) to 5 (plenty to give), not {value}.",
        )
    return energy


def parse_week(text: str) -> str:
    """An ISO week as it is stored ('2026-W9' becomes '2026-W09')."""
    try:
        monday = week_monday(text.strip())
    except (ValueError, TypeError, AttributeError):
        raise UsageError(
            f"'{text}' is not an ISO week.", "Write it as YYYY-Www, e.g. 2026-W48."
        ) from None
    if not FIRST_YEAR <= monday.year <= LAST_YEAR:
        raise UsageError(f"{text} is further off than companion keeps records.")
    return iso_week(monday)
