"""What the evening's moments may hold: a pause, a request for support, a repair shared.

Kept beside schema.py, which takes these in (`moment_schemas`): the checks here are the same
kind, per field and stateless. A pause's length and a request's evening are the author's app
to keep; a reader clamps what it shows (domain/moments.py), so an odd value does no harm.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from companion.domain import model as m
from companion.domain.ids import is_valid_id
from companion.domain.text import unsafe_in

F = TypeVar("F")
Check = Callable[[Any], "str | None"]
# Times are milliseconds since the epoch, within the years records may hold.
_LAST_MS = 253_402_300_799_000  # 9999-12-31T23:59:59Z

MOMENT_LABELS = {
    m.PAUSE: "pause",
    m.SUPPORT: "request for support",
    m.REPAIR: "repair step",
}


def _words(limit: int) -> Check:
    def check(value: Any) -> str | None:
        if value is None:
            return None
        if (
            isinstance(value, str)
            and value.strip()
            and len(value) <= limit
            and unsafe_in(value) is None
        ):
            return None
        return f"is not text of at most {limit} characters (or nothing)"

    return check


def _time(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _LAST_MS:
        return None
    return "is not a time (milliseconds since 1970)"


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "is not true or false"


def _record(value: Any) -> str | None:
    return None if isinstance(value, str) and is_valid_id(value) else "is not a record's id"


def _record_or_none(value: Any) -> str | None:
    return None if value is None else _record(value)


def moment_schemas(field: Callable[[Check, bool], F]) -> dict[str, dict[str, F]]:
    """The moments' schemas, each field made with schema.py's `Field(check, required)`."""
    return {
        m.PAUSE: {
            "until": field(_time, True),
            "note": field(_words(m.MAX_WORD), False),
            "ended": field(_flag, False),
        },
        m.SUPPORT: {
            "until": field(_time, True),
            "word": field(_words(m.MAX_WORD), False),
            # the partner's answer: one act from the asker's care menu, in its words
            "answer": field(_words(m.MAX_TEXT), False),
            "answer_need": field(_record_or_none, False),
            "ended": field(_flag, False),
        },
        m.REPAIR: {
            "pause": field(_record, True),
            "again": field(_words(m.MAX_TEXT), False),
            "understood": field(_words(m.MAX_TEXT), False),
        },
    }
