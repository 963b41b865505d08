"""Who may change what, judged for a pass's operations against the records' owners.

The schema (admission.py) judges an operation alone; the rights (domain/rights.py) need the
owner of the record it changes: looked up once per pass among the records already merged and
the creates arriving in the same pass. An operation whose record (or whose care action) hasn't
arrived yet waits, kept in the quarantine partition, and is judged again on each later pass:
it is never lost, and whichever order honest files arrive in, the merged state is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from companion.domain import model as m
from companion.domain import rights
from companion.domain.rights import NotAllowed, Owned, Wait

# Record id → (type, owner, create's stamp) of the records already merged: Replica.owners.
OwnerLookup = Callable[[Iterable[str]], dict[str, tuple[str, str, str]]]


class Arrival(NamedTuple):
    """One operation that passed the schema, with the device and file it came in."""

    device: str
    seq: int
    op: dict[str, Any]


class Judged(NamedTuple):
    """A pass's operations sorted: to merge, to wait for their record, refused."""

    allowed: list[Arrival]
    waiting: list[Arrival]
    refused: list[tuple[Arrival, NotAllowed]]


def judge_all(
    arrivals: list[Arrival],
    lookup: OwnerLookup,
    partners: Iterable[str],
) -> Judged:
    """Judge every operation of a pass; O(ops) plus one read of each partition they touch.

    A partner's name is not judged here: whether it is the other's depends on which of the
    two names arrived first, and the merge must not. Two names that read as one are told
    apart where they are shown (`model.shown_names`) and reported (sync/names.py)."""
    wanted = {a.op["id"] for a in arrivals}
    wanted.update(
        a.op["fields"]["action"]
        for a in arrivals
        if a.op["type"] in rights.NAMES_ACTION and isinstance(a.op["fields"].get("action"), str)
    )
    owners = {rid: Owned(*found) for rid, found in lookup(wanted).items()}
    known = list(dict.fromkeys(partners))
    # Creates first, so that changes find their record's owner in the same pass; records a
    # tick or review names before those, then what carries a natural id's keys, then the
    # rest; the earliest create of an id wins, as in the merge.
    order = sorted(arrivals, key=_order)
    judged = Judged([], [], [])
    for arrival in order:
        op = arrival.op
        action = op["fields"].get("action") if op["type"] in rights.NAMES_ACTION else None
        verdict = rights.judge(
            op,
            owners.get(op["id"]),
            owners.get(action) if isinstance(action, str) else None,
            known,
        )
        if verdict is None:
            judged.allowed.append(arrival)
            if op["op"] == "create" or rights.carries_keys(op):
                owners.setdefault(op["id"], Owned(op["type"], op["author"], op["hlc"]))
                if op["type"] == m.PARTNER and op["id"] not in known:
                    known.append(op["id"])
        elif isinstance(verdict, Wait):
            judged.waiting.append(arrival)
        else:
            judged.refused.append((arrival, verdict))
    return judged


def first_refusal(
    ops: list[dict[str, Any]],
    lookup: OwnerLookup,
    partners: Iterable[str],
) -> NotAllowed | None:
    """Why the partner's app would refuse one of this device's own changes, if it would."""
    refused = judge_all([Arrival("", 0, op) for op in ops], lookup, partners).refused
    return refused[0][1] if refused else None


def _order(arrival: Arrival) -> tuple[int, str, str, str]:
    op = arrival.op
    if op["type"] in rights.NATURAL and rights.carries_keys(op):
        rank = 1  # says by itself whose record it is (rights.carries_keys)
    elif op["op"] != "create":
        rank = 3
    else:
        rank = 0 if op["type"] not in rights.NATURAL else 2
    return (rank, op["hlc"], op["author"], op["device"])
