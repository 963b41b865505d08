"""Who may change what: for each record type and field, which partner may set it.

A record's owner is the partner who created it (the author of its create). Everything is the
owner's to change, except what belongs to the other partner: a note's `read` and `landed`
(its recipient's), an agreement's acceptance (the partner who didn't propose it), each
partner's own word on an agreement (their consent to retire it, given once and never taken
back, and their "let's talk first": domain/consent.py), and the answer to a request for
support (the partner asked). An agreement's text is set only when it is proposed, and nobody
deletes one. A note is taken back by its author only within the window for it, as the
author's own times tell (domain/moments.py). A tick is its care action's owner's; a review,
the receiver's. A check-in, a suggested focus and a "how did that go?" are their author's
alone, filed under them by week (so the other partner can neither write nor take one over).
The judgement is pure: the caller looks the owners up (sync/ownership.py). SECURITY.md
"Who may change what" is this table in words.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

from companion.domain import consent as c
from companion.domain import model as m
from companion.domain import moments
from companion.domain.ids import (
    checkin_id,
    focus_id,
    is_bound,
    reflection_id,
    review_id,
    tick_id,
)
from companion.domain.records import DELETED
from companion.domain.schema import TYPE_LABELS, is_week, parse_day, with_article

OWNER = "owner"  # the partner who created the record
OTHER = "other"  # the partner who didn't: a note's recipient, an agreement's acceptor
EITHER = "either"
NOBODY = "nobody"  # set only in the owner's create, never changed after

# Who may set each field in a `set`. Fields not named here are the owner's.
FIELD_RIGHTS: dict[str, dict[str, str]] = {
    m.GRATITUDE: {"read": OTHER, "landed": OTHER},
    # and `status`, `text`: see _set_right; the `owner_*` consent fields are the owner's
    m.AGREEMENT: {"accepted_by": OTHER, c.OTHER_RETIRES: OTHER, c.OTHER_TALK: OTHER},
    # a request for support is answered by the partner asked, with one act from the menu
    m.SUPPORT: {"answer": OTHER, "answer_need": OTHER},
}
# What the owner's create may hold in a field that is the other partner's: its first value.
CREATE_VALUES: dict[str, dict[str, tuple[Any, ...]]] = {
    m.GRATITUDE: {"read": (False,), "landed": (False,)},
    m.AGREEMENT: {
        "status": (m.PROPOSED,),
        "accepted_by": (None,),
        c.OTHER_RETIRES: (False,),
        c.OTHER_TALK: (None,),
    },
    m.SUPPORT: {"answer": (None,), "answer_need": (None,)},
}
# Agreements: proposed only in the proposer's create; accepted by the other. An agreement is
# retired once both partners have given their consent; `retired`, which versions before that
# let either partner set, still merges from either so that every device reads it alike, and
# retires nothing (consent.retired_by_older_version).
AGREEMENT_STATUS = {m.PROPOSED: NOBODY, m.ACCEPTED: OTHER, m.RETIRED: EITHER}
# Types whose create names a care action: a tick is the action's owner's, a review the other's.
NAMES_ACTION = frozenset({m.TICK, m.REVIEW})
# Types whose ids are made from their natural keys (so two devices of one partner agree).
NATURAL = frozenset({m.TICK, m.REVIEW, m.CHECKIN, m.FOCUS, m.REFLECTION})
# Those filed under their author and a week: each partner writes only their own.
BY_WEEK = {m.CHECKIN: checkin_id, m.FOCUS: focus_id, m.REFLECTION: reflection_id}
# Partners a space holds.
MAX_PARTNERS = 2
# Records nobody may delete: a partner's own record and a device's.
KEPT = frozenset({m.PARTNER, m.DEVICE})


class Owned(NamedTuple):
    """An existing record's type, its owner (the author of its create) and that create's
    stamp ("" where it doesn't matter)."""

    type: str
    owner: str
    created: str = ""


class NotAllowed(NamedTuple):
    """An operation outside its author's rights: what it tried, and who may do it."""

    record_type: str
    field: str  # "" for the whole record (a delete, a create under a taken id)
    author: str
    owner: str | None  # the record's owner, when it has one
    # "change", "delete", "create", "take" (a taken id), "add" (a third partner), "unsend"
    tried: str
    rule: str  # who may, in words

    def describe(self, name_of: Mapping[str, str], me: str) -> str:
        """What the author's device tried, as the one who reads it is told (`me`)."""
        label = LABELS.get(self.record_type, "record")
        if self.owner is None or self.owner == self.author:
            whose = "their own"
        elif self.owner == me:
            whose = "your"
        else:
            whose = f"{name_of.get(self.owner, 'someone')}'s"
        if self.tried == "add":
            what = "add a third person to this space"
        elif self.tried == "take":
            what = f"make a new record under the id of {whose} {label}"
        elif self.tried == "unsend":
            what = "take back a note long after sending it"
        elif self.tried == "delete":
            what = f"delete {whose} {label}"
        elif self.tried == "create":
            what = f"create {with_article(label)} with {self.field!r} set"
        else:
            what = f"change the {self.field!r} of {whose} {label}"
        return f"tried to {what} ({self.rule})"


# As schema.py names record types, but "your partner record" reads better than "partner's".
LABELS = {**TYPE_LABELS, m.PARTNER: "partner record", m.DEVICE: "device record"}


class Wait(NamedTuple):
    """The operation can't be judged yet: the record it changes (or names) hasn't arrived."""

    record_id: str


ALLOWED = None
Verdict = NotAllowed | Wait | None


def judge(
    op: Mapping[str, Any],
    existing: Owned | None,
    action: Owned | None,
    partners: Collection[str],
) -> Verdict:
    """Whether `op`'s author may make it: None (allowed), NotAllowed, or Wait.

    `existing` is the record under `op`'s id, `action` the care action a tick or review create
    names (None while unknown), `partners` the partners known in the space.
    """
    kind, record_type, author = op["op"], op["type"], op["author"]
    fields: Mapping[str, Any] = op["fields"]
    if existing is not None and existing.type != record_type:
        return _no(op, "", existing.owner, "take", "a record keeps the type it was made with")
    if kind == "create":
        return _create(op, existing, action, partners)
    if existing is None and kind == "set" and carries_keys(op):
        # a natural id's keys tell whose record it is, in a change as well as in a create
        # (an edited check-in's create, compacted, may keep none of them)
        return _natural(op, existing, action)
    if existing is None:
        return Wait(op["id"])
    owner = existing.owner
    if kind == "delete" and record_type in KEPT:
        return _no(op, "", owner, "delete", "nobody may: who you are and your devices stay")
    if kind == "delete" and record_type == m.AGREEMENT:
        return _no(op, "", owner, "delete", "an agreement is retired by both, never deleted")
    if kind == "delete":
        if author != owner:
            return _no(op, "", owner, "delete", "only its owner may")
        return _taken_back_late(op, existing)
    for name, value in fields.items():
        right = _set_right(record_type, name, value)
        if not _may(right, author, owner):
            return _no(op, name, owner, "change", _RULE_WORDS[right])
        late = _taken_back_late(op, existing) if name == DELETED and value is True else None
        if late is not None:
            return late
        if name == "accepted_by" and value != author:
            return _no(op, name, owner, "change", "an acceptance names the one who accepts")
        if record_type == m.DEVICE and name == "partner" and value != owner:
            return _no(op, name, owner, "change", "a device stays its owner's")
    return None


def _create(
    op: Mapping[str, Any], existing: Owned | None, action: Owned | None, partners: Collection[str]
) -> Verdict:
    record_type, author, record_id = op["type"], op["author"], op["id"]
    fields: Mapping[str, Any] = op["fields"]
    if existing is not None and existing.owner != author:
        return _no(op, "", existing.owner, "take", "an id is its creator's")
    if record_type == m.PARTNER:
        if record_id != author:
            return _no(op, "", record_id, "take", "a partner record is that partner's own")
        if existing is None and author not in partners and len(partners) >= MAX_PARTNERS:
            return _no(op, "", None, "add", "a space is for two people")
    elif record_type == m.DEVICE:
        if "partner" in fields and fields["partner"] != author:
            return _no(op, "partner", None, "create", "a device is registered by its owner")
    elif existing is None and record_type not in NATURAL:
        thief = next((p for p in partners if p != author and is_bound(record_id, p)), None)
        if thief is not None and not is_bound(record_id, author):
            return _no(op, "", thief, "take", "an id is its creator's")
    if record_type in KEPT and fields.get(DELETED) is True:
        return _no(op, "", None, "delete", "nobody may: who you are and your devices stay")
    first = existing if existing is not None else Owned(record_type, author, op["hlc"])
    late = _taken_back_late(op, first) if fields.get(DELETED) is True else None
    if late is not None:
        return late
    for name, allowed in CREATE_VALUES.get(record_type, {}).items():
        if name in fields and fields[name] not in allowed:
            return _no(op, name, None, "create", "only the other partner may set it")
    if record_type in NATURAL:
        return _natural(op, existing, action)
    return None


_KEYS = {
    **{record_type: ("week",) for record_type in BY_WEEK},
    m.TICK: ("action", "date"),
    m.REVIEW: ("action", "week"),
}


def carries_keys(op: Mapping[str, Any]) -> bool:
    """Whether an operation on a tick, review or check-in holds the keys its id is made of
    (and so says by itself whose record it is)."""
    keys = _KEYS.get(op["type"])
    return keys is not None and all(op["fields"].get(k) is not None for k in keys)


def _natural(op: Mapping[str, Any], existing: Owned | None, action: Owned | None) -> Verdict:
    """Ticks, reviews and what is filed by week (check-ins, focuses, reflections): their ids
    come from their natural keys, which must match.

    A create without its keys (compaction leaves in a create only what later changes didn't
    overwrite) can't be matched: it is judged by the owner of the record, once a create that
    carries them has made it known; until then it waits.
    """
    record_type, author, fields = op["type"], op["author"], op["fields"]
    if record_type in BY_WEEK:
        week = fields.get("week")
        if week is None:
            return None if existing is not None else Wait(op["id"])
        if not is_week(week) or op["id"] != BY_WEEK[record_type](author, week):
            label = with_article(LABELS.get(record_type, "record"))
            return _no(op, "week", None, "create", f"{label} is filed under its author")
        return None
    action_id = fields.get("action")
    key = fields.get("date" if record_type == m.TICK else "week")
    if action_id is None or key is None:
        return None if existing is not None else Wait(op["id"])
    if record_type == m.TICK:
        day = parse_day(key)
        if day is None or op["id"] != tick_id(action_id, day):
            return _no(op, "date", None, "create", "a tick's id names its action and day")
    elif not is_week(key) or op["id"] != review_id(action_id, key):
        return _no(op, "week", None, "create", "a review's id names its action and week")
    if action is None:
        return Wait(action_id)
    if action.type != m.CARE:
        return _no(op, "action", None, "create", "a tick or review names a care action")
    if record_type == m.TICK and action.owner != author:
        return _no(op, "action", action.owner, "create", "only the giver ticks a care action")
    if record_type == m.REVIEW and action.owner == author:
        return _no(op, "action", author, "create", "only the receiver reviews a care action")
    return None


def _taken_back_late(op: Mapping[str, Any], note: Owned) -> NotAllowed | None:
    """A note removed by its author after the window for taking it back, judged by the
    author's own times (so a clock turned back on their computer doesn't reopen it)."""
    if op["type"] != m.GRATITUDE or moments.removal_in_time(op["id"], note.created, op["hlc"]):
        return None
    return _no(op, "", note.owner, "unsend", "a note is taken back within five minutes of sending")


def _set_right(record_type: str, name: str, value: Any) -> str:
    if record_type == m.AGREEMENT and name == "status":
        return AGREEMENT_STATUS.get(value, NOBODY)
    if record_type == m.AGREEMENT and name == "accepted_by" and value is None:
        return NOBODY
    if record_type == m.AGREEMENT and name in c.RETIRES and value is not True:
        return NOBODY  # a consent to retire, once given, stays
    if record_type == m.AGREEMENT and name in ("text", DELETED):
        return NOBODY  # what both agreed to isn't rewritten or removed by one of them
    if name == DELETED:
        return NOBODY if record_type in KEPT else OWNER
    return FIELD_RIGHTS.get(record_type, {}).get(name, OWNER)


def _may(right: str, author: str, owner: str) -> bool:
    if right == EITHER:
        return True
    if right == OWNER:
        return author == owner
    if right == OTHER:
        return author != owner
    return False


_RULE_WORDS = {
    OWNER: "only its owner may",
    OTHER: "only the other partner may",
    EITHER: "either partner may",
    NOBODY: "it is set only when the record is made, or given once and kept",
}


def _no(op: Mapping[str, Any], name: str, owner: str | None, tried: str, rule: str) -> NotAllowed:
    return NotAllowed(op["type"], name, op["author"], owner, tried, rule)
