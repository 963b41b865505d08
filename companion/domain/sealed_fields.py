"""The checks on a check-in's sealed fields: its answers, the key that opens them, and the
first version both partners read, kept when it is edited after the reveal.

Part of the schema (schema.py), apart because these fields are base64 and nested.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

_TAG = re.compile(r"[0-9a-f]{16}")
# Sealed answers: six fields of at most 2,000 characters, JSON-escaped and encrypted, fit
# well within this (base64 characters).
MAX_SEALED = 256 * 1024
# The first revealed version travels with the current one: together they stay within a
# segment's bound on one field (sync/segments.py MAX_FIELD_CHARS).
MAX_FIRST_SEALED = MAX_SEALED - 1024
CHECKIN_KEY_BYTES = 32
# "How did that go?": a few words (at most 2,000 characters, JSON-escaped), encrypted.
MAX_SEALED_WORDS = 48 * 1024


def is_base64(value: Any, *, limit: int, size: int | None = None) -> bool:
    """Text of at most `limit` characters that is base64 (of `size` bytes, if given)."""
    if not isinstance(value, str) or not value or len(value) > limit:
        return False
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return False
    return size is None or len(raw) == size


def sealed_tag(sealed: str) -> str:
    """Which sealed answers (or words) a key belongs to."""
    import hashlib  # here: the first paint checks no sealed fields

    return hashlib.sha256(sealed.encode("ascii")).hexdigest()[:16]


def key_opens(key: Any, sealed: Any) -> bool:
    """Whether a published key (`{"for", "k"}`) is the one for these sealed answers."""
    return (
        isinstance(key, dict) and isinstance(sealed, str) and key.get("for") == sealed_tag(sealed)
    )


def sealed_answers(value: Any) -> str | None:
    if is_base64(value, limit=MAX_SEALED):
        return None
    return "is not sealed answers (base64)"


def sealed_words(value: Any) -> str | None:
    if is_base64(value, limit=MAX_SEALED_WORDS):
        return None
    return "is not sealed words (base64)"


def _is_key(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.keys() == {"for", "k"}
        and isinstance(value["for"], str)
        and _TAG.fullmatch(value["for"]) is not None
        and is_base64(value["k"], limit=64, size=CHECKIN_KEY_BYTES)
    )


def checkin_key(value: Any) -> str | None:
    """A published check-in key: {"for": the sealed answers' tag, "k": the key, base64}."""
    if value is None or _is_key(value):
        return None
    return "is not a check-in key ({'for': tag, 'k': key})"


def first_revealed(value: Any) -> str | None:
    """The version both read first: {"sealed": its answers, "key": the key that opens them}."""
    if (
        isinstance(value, dict)
        and value.keys() == {"sealed", "key"}
        and is_base64(value["sealed"], limit=MAX_FIRST_SEALED)
        and _is_key(value["key"])
    ):
        return None
    return "is not a first revealed version ({'sealed': answers, 'key': key})"
