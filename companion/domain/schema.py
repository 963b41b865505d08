"""What each record type's fields may hold: the check every operation passes before it merges.

One schema per record type, field by field: its type, its allowed values or range, its length
as the app's own input allows, dates and ISO weeks that parse, ids of the right form, and the
shape of nested values (a check-in's published key, a care action's days). The check is per
operation and stateless, so merging stays order-free, and it costs O(fields).

Fields a schema doesn't name are ignored, not refused: a partner on a newer version may write
a field this one doesn't know, and refusing the whole change would hold back their notes
until we update. They are dropped before the merge (`known_fields`), so the replica holds only
values checked here and every reader may rely on the schema; the segment in the shared folder
still has them, and rebuilding the local copy after an update brings them in. A record type
this version doesn't know has no schema at all, so its operations are refused whole.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from companion.domain import consent as c
from companion.domain import model as m
from companion.domain.checkin_fields import CHECKIN_LABELS
from companion.domain.ids import is_valid_id
from companion.domain.records import DELETED, OP_KINDS
from companion.domain.schema_moments import MOMENT_LABELS, moment_schemas
from companion.domain.sealed_fields import checkin_key, first_revealed, is_base64, sealed_answers
from companion.domain.text import unsafe_in
from companion.domain.weeks import WEEK_ZONE, zone_named
from companion.errors import UsageError

# A field's check: None when the value may be stored, else what is wrong ("is not text").
Check = Callable[[Any], "str | None"]

# Partner and device ids: hex, 16 characters as the app makes them (device folders: up to 64).
_HEX_ID = re.compile(r"[0-9a-f]{16,64}")
_KEY_HASH = re.compile(r"[0-9a-f]{64}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only, as weeks: one spelling
_WEEK = re.compile(r"[0-9]{4}-W[0-9]{2}")
FIRST_YEAR, LAST_YEAR = m.FIRST_YEAR, m.LAST_YEAR
MAX_LABEL = 60
MAX_TITLE = 200

# How a message names a record of each type.
TYPE_LABELS = {
    m.PARTNER: "partner's record",
    m.DEVICE: "device's record",
    m.NEED: "need",
    m.CARE: "care action",
    m.TICK: "tick",
    m.GRATITUDE: "note",
    m.CHECKIN: "check-in",
    m.REVIEW: "review",
    m.AGREEMENT: "agreement",
    m.APPROVAL: "approval of a device",
    **MOMENT_LABELS,
}


class Invalid(NamedTuple):
    """Why an operation may not merge: the record type, the field ("" for the whole op)."""

    record_type: str
    field: str
    reason: str

    def describe(self) -> str:
        what = TYPE_LABELS.get(self.record_type, "record")
        if not self.field:
            return f"a change to {_a(what)} that {self.reason}"
        return f"{_a(what)} whose {self.field!r} {self.reason}"


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


class Field(NamedTuple):
    check: Check
    # Whether a record is shown only once it has this field: asked of the merged record
    # (see `complete`), since a compacted create keeps only fields no later change overwrote.
    required: bool = True


# -- the checks -----------------------------------------------------------------------------


def _text(limit: int = m.MAX_TEXT) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return "is not text"
        try:
            m.clean_text(value, "text", limit=limit)
        except UsageError:
            return f"is empty, longer than {limit} characters, or holds control characters"
        return None

    return check


def _name(value: Any) -> str | None:
    if not isinstance(value, str):
        return "is not text"
    try:
        m.clean_name(value)
    except UsageError:
        return f"is not a name of one line and at most {m.MAX_NAME} characters"
    return None


def _label(value: Any) -> str | None:
    if not isinstance(value, str):
        return "is not text"
    if len(value) > MAX_LABEL or unsafe_in(value) is not None or "\n" in value or "\t" in value:
        return f"is not a device name of at most {MAX_LABEL} plain characters"
    return None


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "is not true or false"


def _one_of(choices: tuple[str, ...]) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices and isinstance(value, str) else _not_one_of(choices)

    return check


def _not_one_of(choices: tuple[str, ...]) -> str:
    return "is not one of " + ", ".join(choices)


def _int_between(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return None
        return f"is not a whole number from {low} to {high}"

    return check


def is_partner_id(value: Any) -> bool:
    """A partner's (or a device's) id: lowercase hex."""
    return isinstance(value, str) and _HEX_ID.fullmatch(value) is not None


def _zone(value: Any) -> str | None:
    if zone_named(value) is None:
        return "is not the name of a time zone"
    return None


def _partner(value: Any) -> str | None:
    return None if is_partner_id(value) else "is not a partner's id"


def _record_id(value: Any) -> str | None:
    return None if isinstance(value, str) and is_valid_id(value) else "is not a record's id"


def _or_none(check: Check) -> Check:
    def either(value: Any) -> str | None:
        return None if value is None else check(value)

    return either


def _days(value: Any) -> str | None:
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


def _date(value: Any) -> str | None:
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


def _week(value: Any) -> str | None:
    return None if is_week(value) else "is not an ISO week (YYYY-Www)"


def _signing_key(value: Any) -> str | None:
    if is_base64(value, limit=64, size=32):
        return None
    return "is not a signing key (base64 of 32 bytes)"


def _key_hash(value: Any) -> str | None:
    if isinstance(value, str) and _KEY_HASH.fullmatch(value) is not None:
        return None
    return "is not a key's fingerprint (64 hex digits)"


# -- the schemas ----------------------------------------------------------------------------

SCHEMAS: dict[str, dict[str, Field]] = {
    m.PARTNER: {
        "name": Field(_name),
        "checkin_day": Field(_int_between(0, 6), required=False),
        WEEK_ZONE: Field(_zone, required=False),
    },
    m.DEVICE: {
        "partner": Field(_partner),
        "label": Field(_label),
        # its public signing key (base64 of 32 bytes); devices from before signing have none
        "key": Field(_signing_key, required=False),
    },
    m.NEED: {
        "text": Field(_text()),
        "retired": Field(_boolean, required=False),
    },
    m.CARE: {
        "title": Field(_text(MAX_TITLE)),
        "cadence": Field(_one_of(m.CADENCES)),
        "days": Field(_days, required=False),
        "need": Field(_or_none(_record_id), required=False),
        "for": Field(_or_none(_partner), required=False),
        "retired": Field(_boolean, required=False),
    },
    m.TICK: {
        "action": Field(_record_id),
        "date": Field(_date),
        "status": Field(_one_of(m.TICK_STATUSES)),
    },
    m.GRATITUDE: {
        "text": Field(_text()),
        "to": Field(_partner),
        "read": Field(_boolean, required=False),
        "landed": Field(_boolean, required=False),
    },
    m.CHECKIN: {
        "week": Field(_week),
        "sealed": Field(sealed_answers),
        "key": Field(checkin_key, required=False),
        # set once, by its author, when a revealed check-in is first edited
        "first": Field(first_revealed, required=False),
    },
    m.REVIEW: {
        "action": Field(_record_id),
        "week": Field(_week),
        "verdict": Field(_one_of(m.REVIEW_VERDICTS)),
        # the receiver's few words: what would help instead
        "note": Field(_or_none(_text(MAX_TITLE)), required=False),
    },
    m.AGREEMENT: {
        "text": Field(_text()),
        "status": Field(_one_of(m.AGREEMENT_STATUSES)),
        "accepted_by": Field(_or_none(_partner), required=False),
        **{f: Field(_boolean, required=False) for f in c.RETIRES},
        **{f: Field(_or_none(_one_of(c.TALK_SUBJECTS)), required=False) for f in c.TALKS},
    },
    m.APPROVAL: {
        "device": Field(_partner),
        "key": Field(_key_hash),
        "partner": Field(_partner),
    },
    **moment_schemas(Field),
}
# The tombstone flag: written by delete operations, in a compacted journal by any record.
_DELETED_FIELD = Field(_boolean, required=False)
# Named by hex ids: a partner's and a device's own, an approval's a hash of two devices'.
_HEX_NAMED = frozenset({m.PARTNER, m.DEVICE, m.APPROVAL})


def check_op(op: Mapping[str, Any]) -> Invalid | None:
    """Why this operation may not merge, or None when every field it sets may be stored."""
    record_type = op.get("type")
    if not isinstance(record_type, str) or record_type not in SCHEMAS:
        return Invalid(str(record_type), "", "this version of companion doesn't know")
    schema = SCHEMAS[record_type]
    kind = op.get("op")
    if kind not in OP_KINDS:
        return Invalid(record_type, "", "is of no kind companion knows")
    record_id = op.get("id")
    hex_named = record_type in _HEX_NAMED
    if not (is_partner_id(record_id) if hex_named else _record_id(record_id) is None):
        return Invalid(record_type, "", "has an id of the wrong form")
    if not is_partner_id(op.get("author")):
        return Invalid(record_type, "", "names no partner as its author")
    if not is_partner_id(op.get("device")):
        return Invalid(record_type, "", "names no device")
    fields = op.get("fields")
    if not isinstance(fields, dict):
        return Invalid(record_type, "", "has no fields")
    if kind == "delete":
        return None  # a delete's fields are never merged
    for name, value in fields.items():
        spec = _DELETED_FIELD if name == DELETED else schema.get(name)
        if spec is None:
            continue  # unknown: dropped before the merge (see known_fields)
        reason = spec.check(value)
        if reason is not None:
            return Invalid(record_type, name, reason)
    return None


_REQUIRED = {
    record_type: tuple(name for name, spec in fields.items() if spec.required)
    for record_type, fields in SCHEMAS.items()
}


def complete(record_type: str, fields: Mapping[str, Any]) -> bool:
    """Whether a merged record has every field its readers need (else it isn't shown yet,
    like a record whose create hasn't arrived)."""
    required = _REQUIRED.get(record_type)
    return required is not None and all(name in fields for name in required)


def known_fields(op: dict[str, Any]) -> dict[str, Any]:
    """The operation as it merges: without the fields its record type's schema doesn't name.

    Returns `op` itself when there is nothing to drop (the common case costs no copy).
    """
    schema = SCHEMAS.get(op["type"], {})
    fields = op["fields"]
    if all(name in schema or name == DELETED for name in fields):
        return op
    kept = {k: v for k, v in fields.items() if k in schema or k == DELETED}
    return {**op, "fields": kept}


def checkin_answers(value: Any) -> dict[str, Any]:
    """The answers inside a sealed check-in that may be shown: only known, valid ones.

    They are checked when opened, since they can't be read while they are sealed.
    """
    if not isinstance(value, dict):
        return {}
    answers: dict[str, Any] = {}
    for name in CHECKIN_LABELS:
        if name not in value:
            continue
        check = _ENERGY if name == "energy" else _ANSWER
        if check(value[name]) is None:
            answers[name] = value[name]
    return answers


_ENERGY = _int_between(1, 5)
_ANSWER = _text()
