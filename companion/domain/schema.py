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

from collections.abc import Mapping
from typing import Any, NamedTuple

from companion.domain import consent as c
from companion.domain import model as m
from companion.domain.checkin_fields import CHECKIN_LABELS
from companion.domain.checks import (
    MAX_LABEL,
    MAX_TITLE,
    Field,
    boolean_check,
    date_check,
    days_check,
    int_between_check,
    is_partner_id,
    is_week,
    key_hash_check,
    label_check,
    name_check,
    one_of_check,
    or_none_check,
    parse_day,
    partner_check,
    record_id_check,
    signing_key_check,
    text_check,
    week_check,
    zone_check,
)
from companion.domain.records import DELETED, OP_KINDS
from companion.domain.schema_moments import MOMENT_LABELS, moment_schemas
from companion.domain.sealed_fields import (
    MAX_SEALED,
    checkin_key,
    first_revealed,
    sealed_answers,
    sealed_words,
)
from companion.domain.weeks import WEEK_ZONE

__all__ = ["MAX_LABEL", "MAX_SEALED", "MAX_TITLE", "is_partner_id", "is_week", "parse_day"]

# The latest time a clock stamp can hold (hlc.py: fifteen digits of milliseconds).
MAX_MS = 10**15 - 1
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
    m.FOCUS: "focus for next week",
    m.REFLECTION: "word on how the talk went",
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
            return f"a change to {with_article(what)} that {self.reason}"
        return f"{with_article(what)} whose {self.field!r} {self.reason}"


def with_article(noun: str) -> str:
    """'a need', 'an agreement': a record's label as a message says it."""
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


# -- the schemas ----------------------------------------------------------------------------

SCHEMAS: dict[str, dict[str, Field]] = {
    m.PARTNER: {
        "name": Field(name_check),
        "checkin_day": Field(int_between_check(0, 6), required=False),
        WEEK_ZONE: Field(zone_check, required=False),
        m.BEGAN: Field(int_between_check(0, MAX_MS), required=False),
    },
    m.DEVICE: {
        "partner": Field(partner_check),
        "label": Field(label_check),
        # its public signing key (base64 of 32 bytes); devices from before signing have none
        "key": Field(signing_key_check, required=False),
    },
    m.NEED: {
        "text": Field(text_check()),
        "retired": Field(boolean_check, required=False),
    },
    m.CARE: {
        "title": Field(text_check(MAX_TITLE)),
        "cadence": Field(one_of_check(m.CADENCES)),
        "days": Field(days_check, required=False),
        "need": Field(or_none_check(record_id_check), required=False),
        "for": Field(or_none_check(partner_check), required=False),
        "retired": Field(boolean_check, required=False),
    },
    m.TICK: {
        "action": Field(record_id_check),
        "date": Field(date_check),
        "status": Field(one_of_check(m.TICK_STATUSES)),
    },
    m.GRATITUDE: {
        "text": Field(text_check()),
        "to": Field(partner_check),
        "read": Field(boolean_check, required=False),
        "landed": Field(boolean_check, required=False),
    },
    m.CHECKIN: {
        "week": Field(week_check),
        "sealed": Field(sealed_answers),
        "key": Field(checkin_key, required=False),
        # set once, by its author, when a revealed check-in is first edited
        "first": Field(first_revealed, required=False),
    },
    m.REVIEW: {
        "action": Field(record_id_check),
        "week": Field(week_check),
        "verdict": Field(one_of_check(m.REVIEW_VERDICTS)),
        # the receiver's few words: what would help instead
        "note": Field(or_none_check(text_check(MAX_TITLE)), required=False),
    },
    m.AGREEMENT: {
        "text": Field(text_check()),
        "status": Field(one_of_check(m.AGREEMENT_STATUSES)),
        "accepted_by": Field(or_none_check(partner_check), required=False),
        **{f: Field(boolean_check, required=False) for f in c.RETIRES},
        **{f: Field(or_none_check(one_of_check(c.TALK_SUBJECTS)), required=False) for f in c.TALKS},
    },
    # after the reveal: one partner's suggested focus for the week after `week`
    m.FOCUS: {
        "week": Field(week_check),
        "text": Field(text_check(MAX_TITLE)),
    },
    # "how did that go?": sealed like a check-in's answers; its key is published when shared
    m.REFLECTION: {
        "week": Field(week_check),
        "sealed": Field(sealed_words),
        "key": Field(checkin_key, required=False),
    },
    m.APPROVAL: {
        "device": Field(partner_check),
        "key": Field(key_hash_check),
        "partner": Field(partner_check),
        # an HMAC over the secret part of the approved device's code (see store/signing.py)
        "proof": Field(key_hash_check, required=False),
    },
    **moment_schemas(Field),
}
# The tombstone flag: the app writes it only through delete operations, but a compacted
# journal may carry it as a field of any record.
_DELETED_FIELD = Field(boolean_check, required=False)
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
    if not (is_partner_id(record_id) if hex_named else record_id_check(record_id) is None):
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


def reflection_words(value: Any) -> str | None:
    """The words inside a sealed "how did that go?", if they may be shown."""
    if isinstance(value, dict) and _ANSWER(value.get("words")) is None:
        return str(value["words"])
    return None


_ENERGY = int_between_check(1, 5)
_ANSWER = text_check()
