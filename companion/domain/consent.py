"""An agreement's state read from its fields: proposed, accepted, being retired, or retired.

Each partner gives their word in fields only they may set (domain/rights.py): the proposer's
`owner_*`, the other partner's `other_*`. The state is worked out from those fields, so it is
the same whatever order the changes arrive in, and it only moves forward: a consent to retire,
once given, stays, so a retired agreement can't come back, and nobody retires one alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from companion.domain import model as m

if TYPE_CHECKING:
    from companion.domain.records import Record

# Each partner's consent to retire the agreement (True once given, never taken back).
OWNER_RETIRES = "owner_retires"
OTHER_RETIRES = "other_retires"
RETIRES = (OWNER_RETIRES, OTHER_RETIRES)
# What each partner would like to talk about before agreeing: the proposal (PROPOSED) or
# retiring it (RETIRED); None when they have nothing to talk over first.
OWNER_TALK = "owner_talk"
OTHER_TALK = "other_talk"
TALK_SUBJECTS = (m.PROPOSED, m.RETIRED)
TALKS = (OWNER_TALK, OTHER_TALK)
# One partner has asked to retire it (or to withdraw a proposal): it waits for the other.
RETIRING = "retiring"


def state(record: Record) -> str:
    """PROPOSED, ACCEPTED, RETIRING or RETIRED.

    Every field it reads only moves one way (a consent, once given, stays; an acceptance
    isn't taken back), and so does the state, whatever order the changes arrive in: a
    proposal its proposer wants to withdraw waits for the other's word like an agreement
    does, since the other may have accepted it meanwhile. `status: retired` (how one partner
    alone retired an agreement before consent went both ways) retires nothing by itself:
    see `retired_by_older_version`.
    """
    owner, other = bool(record.get(OWNER_RETIRES)), bool(record.get(OTHER_RETIRES))
    if owner and other:
        return m.RETIRED
    if owner or other:
        return RETIRING
    if record.get("status") == m.ACCEPTED or record.get("accepted_by"):
        return m.ACCEPTED  # (a status retired by an older version after it was accepted)
    return m.PROPOSED


def retired_by_older_version(record: Record) -> bool:
    """Whether one partner retired this agreement alone, as versions before consent went both
    ways did (`status: retired`), and it isn't retired by both yet.

    Such a change merges on every device, old or new, so they all read it alike; it counts as
    no one's consent, since a partner's app could write it today to retire an agreement alone.
    """
    return record.get("status") == m.RETIRED and state(record) != m.RETIRED


def retires_field(record: Record, partner: str) -> str:
    """The field in which `partner` gives their consent to retire this agreement."""
    return OWNER_RETIRES if partner == record.author else OTHER_RETIRES


def talk_field(record: Record, partner: str) -> str:
    """The field in which `partner` says they'd like to talk first."""
    return OWNER_TALK if partner == record.author else OTHER_TALK


def has_retired(record: Record, partner: str) -> bool:
    """Whether `partner` has given their consent to retire this agreement."""
    return bool(record.get(retires_field(record, partner)))


def wants_to_talk(record: Record, partner: str) -> bool:
    """Whether `partner` has said "let's talk first" about what is asked of them now."""
    asked = state(record)
    subject = m.PROPOSED if asked == m.PROPOSED else m.RETIRED
    return asked in (m.PROPOSED, RETIRING) and record.get(talk_field(record, partner)) == subject


def story(record: Record, me: str, partner: str | None, name_of: Callable[[str], str]) -> list[str]:
    """Who proposed an agreement and who accepted it, who asked to retire it or to talk first
    (names made inert by `name_of`)."""
    owner = record.author
    other = partner if owner == me else me
    told = [f"proposed by {name_of(owner)}"]
    if record.get("accepted_by"):
        told[0] += f", accepted by {name_of(record.get('accepted_by'))}"
    asked = [name_of(p) for p in (owner, other) if p and has_retired(record, p)]
    now, what = state(record), "retire it" if record.get("accepted_by") else "withdraw it"
    if now == m.RETIRED:
        told.append(f"retired by {' and '.join(asked)}")
    elif asked:
        told.append(f"{asked[0]} asked to {what}")
    if retired_by_older_version(record):
        told.append(f"an older version let one of you {what} alone; now it takes you both")
    talk = [name_of(p) for p in (owner, other) if p and wants_to_talk(record, p)]
    return told + [f"{who} would like to talk first" for who in talk]


def arrival(record: Record, me: str, partner: str, name: str) -> str | None:
    """What the agreement as it stands now means for `me`, told truly, after a change from
    `partner`'s side arrived (`name` is theirs, inert)."""
    now = state(record)
    what = "an agreement" if record.get("accepted_by") else "a proposal"
    if now == m.RETIRED:
        return f"{name} and you have retired {what}"
    if wants_to_talk(record, partner):
        mine = what == "a proposal" and record.author == me
        return f"{name} would like to talk first about {'your proposal' if mine else what}"
    if now == RETIRING and has_retired(record, partner) and not has_retired(record, me):
        verb = "retire" if record.get("accepted_by") else "withdraw"
        return f"{name} would like to {verb} {what}"
    if retired_by_older_version(record) and now in (m.PROPOSED, m.ACCEPTED):
        verb = "retired" if record.get("accepted_by") else "withdrew"
        return f"An older version of companion {verb} {what} alone; it stays until you both do"
    if now == m.ACCEPTED and record.get("accepted_by") == partner:
        return f"{name} accepted an agreement"
    if now == m.PROPOSED and record.author == partner:
        return f"{name} proposed an agreement"
    return None
