"""The checks a record type's schema is built of: one per kind of field value.

Each check returns None when a value may be stored, else what is wrong with it, in words a
message can carry ("is not text"). schema.py puts them together, field by field; a
check-in's sealed fields have theirs in sealed_fields.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from companion.domain import model as m
from companion.domain.ids import is_valid_id
from companion.domain.sealed_fields import is_base64
from companion.domain.text import unsafe_in
from companion.domain.weeks import zone_named
from companion.errors import UsageError

# A field's check: None when the value may be stored, else what is wrong ("is not text").
Check = Callable[[Any], "str | None"]

# Partner and device ids are hex (16 characters as the app makes them; the journal's device
# folders allow up to 64).
_HEX_ID = re.compile(r"[0-9a-f]{16,64}")
_KEY_HASH = re.compile(r"[0-9a-f]{64}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only, as weeks: one spelling
_WEEK = re.compile(r"[0-9]{4}-W[0-9]{2}")
FIRST_YEAR, LAST_YEAR = m.FIRST_YEAR, m.LAST_YEAR
MAX_LABEL = 60
MAX_TITLE = 200


class Field(NamedTuple):
    check: Check
    # Whether a record is shown only once it has this field. A single operation can't be
    # asked to carry it: compacting a journal leaves in a create only the fields no later
    # change overwrote. So it is asked of the merged record instead (see `complete`).
    required: bool = True


# -- the checks -----------------------------------------------------------------------------


def text_check(limit: int = m.MAX_TEXT) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return "is not text"
        try:
            m.clean_text(value, "text", limit=limit)
        except UsageError:
            return f"is empty, longer than {limit} characters, or holds control characters"
        return None

    return check


def name_check(value: Any) -> str | None:
    if not isinstance(value, str):
        return "is not text"
    try:
        m.clean_name(value)
    except UsageError:
        return f"is not a name of one line and at most {m.MAX_NAME} characters"
    return None


def label_check(value: Any) -> str | None:
    if not isinstance(value, str):
        return "is not text"
    if len(value) > MAX_LABEL or unsafe_in(value) is not None or "\n" in value or "\t" in value:
        return f"is not a device name of at most {MAX_LABEL} plain characters"
    return None


def boolean_check(value: Any) -> str | None:
    return None if isinstance(value, bool) else "is not true or false"


def one_of_check(choices: tuple[str, ...]) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices and isinstance(value, str) else _not_one_of(choices)

    return check


def _not_one_of(choices: tuple[str, ...]) -> str:
    return "is not one of " + ", ".join(choices)


def int_between_check(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return None
        return f"is not a whole number from {low} to {high}"

    return check


def is_partner_id(value: Any) -> bool:
    """A partner's (or a device's) id: lowercase hex."""
    return isinstance(value, str) and _HEX_ID.fullmatch(value) is not None


def zone_check(value: Any) -> str | None:
    if zone_named(value) is None:
        return "is not the name of a time zone"
    return None


def partner_check(value: Any) -> str | None:
    return None if is_partner_id(value) else "is not a partner's id"


def record_id_check(value: Any) -> str | None:
    return None if isinstance(value, str) and is_valid_id(value) else "is not a record's id"


def or_none_check(check: Check) -> Check:
    def either(value: Any) -> str | None:
        return None if value is None else check(value)

    return either


def days_check(value: Any) -> str | None:
    wrong = "is not a list of different weekdays, each 0 (Monday) to 6 (Sunday)"
    if not isinstance(value, list) or len(value) > 7:
        return wrong
    if any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in value):
        return wrong
    return None if len(set(value)) == len(value) else wrong


def parse_day(value: Any) -> dt.date | None:
    """A date written YYYY-MM-DD within the years records may hold, else None."""
    if not isinstance(value, str) or _DATE.fullmatch(value) is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def date_check(value: Any) -> str | None:
    return None if parse_day(value) is not None else "is not a date (YYYY-MM-DD)"


def is_week(value: Any) -> bool:
    """An ISO week written YYYY-Www that exists, within the years records may hold."""
    if not isinstance(value, str) or _WEEK.fullmatch(value) is None:
        return False
    year, week = int(value[:4]), int(value[6:])
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        return False
    return FIRST_YEAR <= year <= LAST_YEAR


def week_check(value: Any) -> str | None:
    return None if is_week(value) else "is not an ISO week (YYYY-Www)"


def signing_key_check(value: Any) -> str | None:
    if is_base64(value, limit=64, size=32):
        return None
    return "is not a signing key (base64 of 32 bytes)"


def key_hash_check(value: Any) -> str | None:
    if isinstance(value, str) and _KEY_HASH.fullmatch(value) is not None:
        return None
    return "is not a key's fingerprint (64 hex digits)"
