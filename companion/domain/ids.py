"""Record ids: time-ordered, and deterministic for natural keys.

An id is 26 Crockford base32 characters: 80 bits of randomness (or of a hash, for natural
keys), then 48 bits of milliseconds since the epoch. The random part comes first so that a
short prefix tells records apart even when they were made in the same second; the time part
tells the replica which partition a dated record lives in without any lookup.
"""

from __future__ import annotations

import datetime as dt
import os

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_ALPHABET)}
ID_LENGTH = 26


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


# Standard base32 to ours: the same 5-bit groups, most significant first, in our alphabet.
_FROM_B32 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _ALPHABET)


def _encode_tail(tail: bytes) -> str:
    """80 bits as 16 characters: `_encode(int.from_bytes(tail, "big"), 16)`, done in C (ids
    are checked once per arriving tick, check-in and review)."""
    import base64  # here, like hashlib below: the first paint makes no ids

    return base64.b32encode(tail.rjust(10, b"\0")).decode("ascii").translate(_FROM_B32)


def make_id(ms: int, tail: bytes | None = None) -> str:
    """An id whose time part is `ms` and whose other 80 bits are `tail` (random if None)."""
    tail = os.urandom(10) if tail is None else tail[:10]
    return _encode_tail(tail) + _encode(ms, 10)


# How many of an id's 80 other bits, in a record made by this version, come from its creator:
# the rest stay random. A stolen id (someone else's create under it) is then told without
# knowing any state; an older id matches a given partner only by a 1-in-2^32 chance.
_BOUND_BYTES = 4


def _binding(random_part: bytes, owner: str) -> bytes:
    import hashlib  # here, like natural_id's: the first paint makes no ids

    return hashlib.blake2b(random_part + owner.encode(), digest_size=_BOUND_BYTES).digest()


def owned_id(ms: int, owner: str) -> str:
    """A new record's id, bound to the partner who makes it (see `is_bound`)."""
    random_part = os.urandom(10 - _BOUND_BYTES)
    return make_id(ms, random_part + _binding(random_part, owner))


def is_bound(record_id: str, owner: str) -> bool:
    """Whether an id was made by `owned_id` for this partner."""
    try:
        tail = _decode(record_id[:16]).to_bytes(10, "big")
    except (KeyError, OverflowError):
        return False
    return tail[10 - _BOUND_BYTES :] == _binding(tail[: 10 - _BOUND_BYTES], owner)


def _decode(text: str) -> int:
    value = 0
    for ch in text:
        value = (value << 5) | _DECODE[ch]
    return value


def id_ms(record_id: str) -> int:
    """The millisecond timestamp an id was made with."""
    value = 0
    for ch in record_id[16:]:
        value = (value << 5) | _DECODE[ch]
    return value


def is_valid_id(text: str) -> bool:
    return len(text) == ID_LENGTH and all(ch in _DECODE for ch in text)


def _day_ms(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000)


def natural_id(kind: str, day: dt.date, *parts: str) -> str:
    """A deterministic id for a natural key, so two devices converge on one record."""
    import hashlib  # here: the first paint needs this module's dates, not its digests

    digest = hashlib.sha256("\x1f".join((kind, day.isoformat(), *parts)).encode()).digest()
    return make_id(_day_ms(day), digest)


def tick_id(action_id: str, day: dt.date) -> str:
    return natural_id("tick", day, action_id)


def week_monday(week: str) -> dt.date:
    """The Monday of an ISO week written as 'YYYY-Www'."""
    year, _, num = week.partition("-W")
    return dt.date.fromisocalendar(int(year), int(num), 1)


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def checkin_id(partner_id: str, week: str) -> str:
    return natural_id("checkin", week_monday(week), partner_id)


def focus_id(partner_id: str, week: str) -> str:
    """A partner's suggested focus, set after a week's check-ins for the week after."""
    return natural_id("focus", week_monday(week), partner_id)


def reflection_id(partner_id: str, week: str) -> str:
    """A partner's "how did that go?" after a week's check-in talk."""
    return natural_id("reflection", week_monday(week), partner_id)


def next_week(week: str, weeks: int = 1) -> str:
    """The ISO week `weeks` after `week` (before it, when negative)."""
    return iso_week(week_monday(week) + dt.timedelta(days=7 * weeks))


def review_id(action_id: str, week: str) -> str:
    return natural_id("review", week_monday(week), action_id)


def month_partition(day: dt.date) -> str:
    """The replica's partition for records dated in `day`'s month (one file per month)."""
    return f"m-{day.year:04d}-{day.month:02d}"
