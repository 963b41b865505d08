"""Operations the admission refused: kept, never merged or shown, and reported with what to do.

They are kept in a partition of the replica of their own (encrypted like the rest, never
synced), and the files that brought them stay in the shared folder as they were: nothing a
partner's app sent is lost, even when it can't be shown.
"""

from __future__ import annotations

import json
from typing import Any

from companion.domain import model as m
from companion.domain.rights import NotAllowed
from companion.domain.schema import Invalid
from companion.store.replica import QUARANTINE, Replica
from companion.sync import caps
from companion.sync.ownership import Arrival
from companion.sync.problems import FORGED, INVALID, NOT_ALLOWED, Problem

# Changes kept until the record they change arrives (trust.py keeps, under "waiting", those of
# devices not confirmed yet).
WAITING_RECORD = "waiting_record"  # (the name `keep_waiting` writes it under)

# One refused operation: the device whose files held it, the file's number, the op, why.
Refusal = tuple[str, int, dict[str, Any], Invalid]


def hold(
    replica: Replica,
    own_device: str,
    refused: list[Refusal],
    problems: dict[tuple[str, str, int], dict[str, Any]],
    kind: str = INVALID,
) -> None:
    """Keep each refused operation aside and note one problem per file that held any
    (`kind` FORGED: changes made out as written by someone who can't have written them)."""
    # forged changes are kept apart from ones this version can't read (which an update brings)
    store = "held" if kind == INVALID else FORGED
    held: dict[str, Any] = replica.meta(store, {}, partition=QUARANTINE)
    by_file: dict[tuple[str, int], list[Invalid]] = {}
    entries: list[tuple[str, dict[str, Any]]] = []
    for device, seq, op, why in refused:
        key = f"{device}/{seq}/{op.get('hlc')}/{op.get('op')}/{op.get('id')}"
        entry = {"device": device, "seq": seq, "why": why.describe(), "op": op}
        try:
            json.dumps(entry)
        except (ValueError, RecursionError):
            entry["op"] = None  # kept in its file in the shared folder all the same
        if key not in held:
            entries.append((key, entry))
        by_file.setdefault((device, seq), []).append(why)
    what = "changes it can't have written as itself" if kind == FORGED else "unreadable changes"
    held = _fit(held, entries, problems, what)
    if kind == INVALID:
        replica.set_meta(partition=QUARANTINE, held=held)
    else:
        replica.set_meta(partition=QUARANTINE, forged=held)
    for (device, seq), whys in by_file.items():
        owner = _owner_name(replica, device)
        if kind == FORGED:
            message = _forged_message(whys, owner)
        else:
            message = _message(whys, device == own_device, owner)
        problems[(kind, device, seq)] = Problem(kind, device, seq, message).to_dict()


def held_count(replica: Replica) -> int:
    """How many refused operations this device keeps aside."""
    kinds = ("held", "not_allowed", FORGED)
    return sum(len(replica.meta(k, {}, partition=QUARANTINE)) for k in kinds)


def _key(device: str, seq: int, op: dict[str, Any]) -> str:
    return f"{device}/{seq}/{op['hlc']}/{op['op']}/{op['id']}"


def waiting(replica: Replica) -> list[Arrival]:
    """Operations kept until the record they change (or name) arrives."""
    stored = replica.meta(WAITING_RECORD, {}, partition=QUARANTINE)
    return [Arrival(e["device"], e["seq"], e["op"]) for e in stored.values()]


def keep_waiting(
    replica: Replica,
    before: list[Arrival],
    now: list[Arrival],
    problems: dict[tuple[str, str, int], dict[str, Any]],
) -> None:
    """Remember the operations still waiting (written only when that changed)."""
    if {_key(*a) for a in before} == {_key(*a) for a in now}:
        return
    old = {_key(*a) for a in before}
    entries = [(_key(*a), {"device": a.device, "seq": a.seq, "op": a.op}) for a in now]
    kept = {k: e for k, e in entries if k in old}
    stored = _fit(kept, [(k, e) for k, e in entries if k not in old], problems, WAITING_WHAT)
    replica.set_meta(partition=QUARANTINE, waiting_record=stored)


def refuse(
    replica: Replica,
    own_device: str,
    refused: list[tuple[Arrival, NotAllowed]],
    problems: dict[tuple[str, str, int], dict[str, Any]],
) -> None:
    """Keep aside each change its author may not make; note one problem per file."""
    kept: dict[str, Any] = replica.meta("not_allowed", {}, partition=QUARANTINE)
    names = _names(replica)
    me = _partner_of(replica, own_device)
    by_file: dict[tuple[str, int], list[NotAllowed]] = {}
    entries: list[tuple[str, dict[str, Any]]] = []
    for arrival, why in refused:
        told = why.describe(names, me)
        if _key(*arrival) not in kept:
            entries.append((_key(*arrival), {**arrival._asdict(), "why": told}))
        by_file.setdefault((arrival.device, arrival.seq), []).append(why)
    kept = _fit(kept, entries, problems, "changes it may not make")
    replica.set_meta(partition=QUARANTINE, not_allowed=kept)
    for (device, seq), whys in by_file.items():
        first = whys[0].describe(names, me)
        more = f" (and {len(whys) - 1} more change(s) like it)" if len(whys) > 1 else ""
        kept_line = "It was kept aside and not shown; everything else merged."
        if device == own_device:
            message = (
                f"this device's own journal holds a change that {first}{more}: companion never "
                f"writes one, so another program wrote it with this profile. {kept_line}"
            )
        else:
            who = names.get(whys[0].author) or _owner_name(replica, device) or "Your partner"
            message = (
                f"{who}'s device {first}{more}. {kept_line} companion never makes such a "
                f"change: if it happens again, ask {who} which app they use."
            )
        problems[(NOT_ALLOWED, device, seq)] = Problem(NOT_ALLOWED, device, seq, message).to_dict()


WAITING_WHAT = "changes to records that haven't arrived"


def _fit(
    kept: dict[str, Any],
    new: list[tuple[str, dict[str, Any]]],
    problems: dict[tuple[str, str, int], dict[str, Any]],
    what: str,
) -> dict[str, Any]:
    """`kept` with as many of `new` as the limits allow (caps.py); the rest reported."""
    if not new:
        return kept
    stored, over = caps.fit(
        kept.items(), new, lambda item: caps.size_of(item[1]), lambda item: _device_of(item[1])
    )
    if over:
        caps.report(problems, (str(entry.get("device", "")) for _, entry in over), what)
    return dict(stored)


def _device_of(entry: Any) -> str:
    """The device whose files held a kept change (its allowance it counts against)."""
    return str(entry.get("device", "")) if isinstance(entry, dict) else ""


def _names(replica: Replica) -> dict[str, str]:
    found = {}
    for record in replica.records_of([m.PARTNER], ["core"]):
        name = record.get("name")
        if isinstance(name, str):
            found[record.id] = name
    return found


def _partner_of(replica: Replica, device: str) -> str:
    record = replica.get(device, m.DEVICE)
    partner = record.get("partner") if record is not None else None
    return partner if isinstance(partner, str) else ""


def _owner_name(replica: Replica, device: str) -> str | None:
    record = replica.get(device, m.DEVICE)
    partner = record.get("partner") if record is not None else None
    person = replica.get(partner, m.PARTNER) if isinstance(partner, str) else None
    name = person.get("name") if person is not None else None
    return name if isinstance(name, str) else None


def _message(whys: list[Invalid], own: bool, owner: str | None) -> str:
    first = whys[0].describe()
    more = f" (and {len(whys) - 1} more change(s) like it)" if len(whys) > 1 else ""
    kept = "It is kept aside, never merged or shown; everything else merged."
    if own:
        return (
            f"this device's own journal holds {first}{more}: a copy of this profile "
            f"(a restored backup, or another version) wrote it. {kept} "
            "Update companion on each device you use."
        )
    who = owner or "your partner"
    return (
        f"it sent {first}{more}. {kept} Ask {who} to update companion "
        "(or update it here, if theirs is the newer one)."
    )


def _forged_message(whys: list[Invalid], owner: str | None) -> str:
    first = whys[0].describe()
    more = f" (and {len(whys) - 1} more like it)" if len(whys) > 1 else ""
    who = f"{owner}'s device" if owner else "this device"
    return (
        f"{who} sent {first}{more}, which it can't have written as itself: a device writes "
        "only as its owner. It is kept aside, never merged or shown. If you didn't expect "
        "this, compare the safety code with your partner in person (`companion devices`)."
    )
