"""Which devices this device trusts, and as whose: a change merges only as its device's owner.

Trust is this replica's own bookkeeping, never synced. A device is trusted when it is this
device; when it was already known as this device first ran a version that checks signatures
(pinned on upgrade, as the owner its record names); when it is the other partner's first
device, pinned when first seen; or when an approval says so: one written by a trusted device
of the same owner (a partner adding a device), one written by a trusted device of mine (the
other partner, after comparing the safety code in person, confirming a partner who lost every
device), or one by a device of mine approving this very device (how a new device of mine comes
to trust the ones before it). Once trusted, a device stays trusted as that owner (pinned).

Changes from a device not trusted yet are held, not merged and not lost, and are looked at
again on every pass, so an approval that arrives later brings them in.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Any, NamedTuple

from companion.domain import model as m
from companion.domain.schema import Invalid
from companion.store.replica import CORE, QUARANTINE, Replica
from companion.store.signing import key_hash, proof_holds
from companion.sync import caps, quarantine
from companion.sync.problems import FORGED, UNCONFIRMED, UNKNOWN_DEVICE, Problem

# Local bookkeeping: {"me": partner id, "pins": {device id: owner's partner id}}.
TRUST = "trust"
# Held changes of devices not trusted yet, by device, in the quarantine partition.
WAITING = "waiting"


class Claim(NamedTuple):
    """What a device's own record says about it: its owner, its key, when it was made."""

    partner: str | None
    key: str | None
    created: str


class Approval(NamedTuple):
    """One device (`by`) vouching for another's key, as belonging to `partner`."""

    by: str
    device: str
    key: str
    partner: str
    # proof that `by` was told the approved device's secret code (see store/signing.py)
    proof: str = ""


def key_bytes(key: Any) -> bytes | None:
    """A device record's `key` field as 32 raw bytes, or None."""
    if not isinstance(key, str):
        return None
    try:
        raw = base64.b64decode(key.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    return raw if len(raw) == 32 else None


def hash_of(key: Any) -> str | None:
    """The exact fingerprint an approval names for a device record's `key` field."""
    raw = key_bytes(key)
    return None if raw is None else key_hash(raw)


def state(replica: Replica) -> dict[str, Any] | None:
    """This replica's trust bookkeeping, or None before it is settled (a join under way)."""
    found = replica.meta(TRUST)
    return found if isinstance(found, dict) else None


def waiting(replica: Replica) -> dict[str, list[list[Any]]]:
    """Held changes by device, each as [file number, change]."""
    found = replica.meta(WAITING, {}, partition=QUARANTINE)
    return found if isinstance(found, dict) else {}


def claims(replica: Replica, held: dict[str, list[dict[str, Any]]]) -> dict[str, Claim]:
    """Every device's own word about itself: its merged record, or its held changes."""
    out: dict[str, Claim] = {}
    for record in replica.records(CORE):
        if record.type == m.DEVICE and not record.deleted:
            out[record.id] = Claim(record.get("partner"), record.get("key"), record.created)
    for device, ops in held.items():
        partner, key, created = out[device] if device in out else Claim(None, None, "")
        own = [o for o in ops if o["type"] == m.DEVICE and o["id"] == device]
        for op in sorted(own, key=lambda o: str(o["hlc"])):
            if op["op"] == "delete":
                continue
            fields = op["fields"]
            partner = fields.get("partner", partner)
            key = fields.get("key", key)
            if op["op"] == "create" and (not created or op["hlc"] < created):
                created = op["hlc"]
        if partner is not None or key is not None:
            out[device] = Claim(partner, key, created)
        elif ops:
            # its record is in a file that doesn't open (damaged): its changes' one author
            # stands in for it, so that a first sight isn't held back by one bad file
            authors = {op["author"] for op in ops}
            if len(authors) == 1:
                out[device] = Claim(authors.pop(), None, min(str(op["hlc"]) for op in ops))
    return out


def approvals(replica: Replica, held: dict[str, list[dict[str, Any]]]) -> list[Approval]:
    """Every approval written: merged ones (from trusted devices) and held ones."""
    found: list[Approval] = []
    for record in replica.records(CORE):
        if record.type == m.APPROVAL and not record.deleted:
            found.append(_approval(record.device, record.fields))
    for device, ops in held.items():
        for op in ops:
            if op["type"] == m.APPROVAL and op["op"] == "create":
                found.append(_approval(device, op["fields"]))
    return [a for a in found if a.device and a.key and a.partner]


def _approval(by: str, fields: dict[str, Any]) -> Approval:
    return Approval(
        by,
        str(fields.get("device", "")),
        str(fields.get("key", "")),
        str(fields.get("partner")),
        str(fields.get("proof") or ""),
    )


def decide(
    me: str,
    own_device: str,
    pins: dict[str, str],
    claimed: dict[str, Claim],
    approved: Iterable[Approval],
    founding: bool = False,
    secret: str = "",
) -> dict[str, str]:
    """Every trusted device and its owner: `pins` and what follows from them (see above).

    `founding`: this device made its partner's record (it was never confirmed by another), so
    no device can become trusted by approving it. `secret`: the secret part of this device's
    approval code; an approval of this device trusts its writer only if it proves the writer
    was told it (the partner, who can write any file, never sees it)."""
    trusted = dict(pins)
    approved = list(approved)
    own_hash = hash_of(claimed[own_device].key) if own_device in claimed else None
    changed = True
    while changed:
        changed = False
        if not any(owner != me for owner in trusted.values()):
            firsts = sorted(
                (c.created, device)
                for device, c in claimed.items()
                if isinstance(c.partner, str) and c.partner != me and c.created
            )
            if firsts:
                first = firsts[0][1]
                trusted[first] = str(claimed[first].partner)
                changed = True
        for a in approved:
            claim = claimed.get(a.device)
            by = trusted.get(a.by)
            if (
                by is not None
                and a.device not in trusted
                and claim is not None
                and claim.partner == a.partner
                and hash_of(claim.key) == a.key
                and (a.partner == by or by == me)
            ):
                trusted[a.device] = a.partner
                changed = True
            elif (
                # how a new device of mine comes to trust the one that confirmed it: only
                # while it trusts no other device of mine (a device planted later in my
                # name can't become trusted by approving this one)
                a.device == own_device
                and not founding
                and not any(o == me and d != own_device for d, o in trusted.items())
                and a.by not in trusted
                and a.partner == me
                and own_hash is not None
                and a.key == own_hash
                and claimed.get(a.by, Claim(None, None, "")).partner == me
                and proven(a, secret)
            ):
                trusted[a.by] = me
                changed = True
    return trusted


def proven(approval: Approval, secret: str) -> bool:
    """Whether an approval of this device carries proof its writer was told `secret`."""
    if not secret or not approval.proof:
        return False
    return proof_holds(secret, approval.proof, approval.by, approval.device, approval.key)


def pins_on_upgrade(replica: Replica, me: str, own_device: str) -> dict[str, str]:
    """Every device this replica already knows, as the owner its record names, and this one."""
    pins = {own_device: me}
    for record in replica.records(CORE):
        partner = record.get("partner")
        if record.type == m.DEVICE and not record.deleted and isinstance(partner, str):
            pins.setdefault(record.id, partner)
    return pins


# -- settling what a pass read ----------------------------------------------------------------

# One change read, with its file's number.
Taken = tuple[int, dict[str, Any]]
_NOT_OWNER = "names as its author a partner who doesn't own the device it came from"


def settle(
    replica: Replica,
    own_device: str,
    fresh: dict[str, list[Taken]],
    problems: dict[tuple[str, str, int], dict[str, Any]],
    secret: str = "",
) -> list[tuple[str, int, dict[str, Any]]]:
    """What of `fresh` (and of the changes held before) may merge now: the changes of trusted
    devices made out as their owner's. Those made out as someone else's are refused (kept
    aside and reported, see quarantine.py); the rest stay held. Returns the changes to go on
    to the rights check, each with its device and file number. `secret`: this device's
    approval secret (see `decide`)."""
    settled = state(replica)
    if settled is None:
        raise RuntimeError("trust is settled before changes are")
    me, pins = str(settled.get("me", "")), dict(settled.get("pins", {}))
    stored = waiting(replica)
    held: dict[str, list[Any]] = {d: list(ops) for d, ops in stored.items()}
    for device, taken in fresh.items():
        if taken:
            held.setdefault(device, []).extend([seq, op] for seq, op in taken)
    trusted = pins
    claimed: dict[str, Claim] = {}
    if any(device not in pins for device in held):
        # only then can trust change: the common pass, all from known devices, costs O(ops)
        ops_of = {d: [op for _, op in pairs] for d, pairs in held.items()}
        claimed = claims(replica, ops_of)
        mine = replica.get(me, m.PARTNER) if me else None
        founding = mine is not None and mine.device == own_device
        found = approvals(replica, ops_of)
        trusted = decide(me, own_device, pins, claimed, found, founding, secret)
    if trusted != pins:
        replica.set_meta(trust={**settled, "pins": trusted})
    incoming: list[tuple[str, int, dict[str, Any]]] = []
    forged: list[tuple[str, int, dict[str, Any], Invalid]] = []
    for device in list(held):
        owner = trusted.get(device)
        if owner is None:
            continue
        for seq, op in held.pop(device):
            if op["author"] == owner:
                incoming.append((device, seq, op))
            else:
                forged.append((device, seq, op, Invalid(op["type"], "", _NOT_OWNER)))
        for key in [k for k in problems if k[0] == UNCONFIRMED and k[1] == device]:
            del problems[key]
    held = _within_caps(stored, held, problems)
    own = claimed.get(own_device)
    for device, pairs in held.items():
        claim = claimed.get(device)
        # one of mine made before this one: it is this device that waits to be confirmed
        older_mine = (
            claim is not None and claim.partner == me and own is not None
            and claim.created < own.created
        )  # fmt: skip
        problems[(UNCONFIRMED, device, 0)] = Problem(
            UNCONFIRMED, device, 0, _waiting_message(len(pairs), older_mine)
        ).to_dict()
    _note_unknown_approvals(replica, incoming, held, problems)
    if held != stored:
        replica.set_meta(partition=QUARANTINE, waiting=held)
    if forged:
        quarantine.hold(replica, own_device, forged, problems, kind=FORGED)
    return incoming


def _note_unknown_approvals(
    replica: Replica,
    incoming: list[tuple[str, int, dict[str, Any]]],
    held: dict[str, list[Any]],
    problems: dict[tuple[str, str, int], dict[str, Any]],
) -> None:
    """Tell of approvals that name a device no file holds a record of (else they would be
    ignored without a word); forget the telling once that device turns up."""
    named = [(d, op["fields"].get("device")) for d, _, op in incoming if op["type"] == m.APPROVAL]
    named += [
        (d, op["fields"].get("device"))
        for d, pairs in held.items()
        for _, op in pairs
        if op["type"] == m.APPROVAL and op["op"] == "create"
    ]
    flagged = {k[1] for k in problems if k[0] == UNKNOWN_DEVICE}
    if not named and not flagged:
        return
    records = replica.records(CORE)
    named += [
        (r.device, r.get("device")) for r in records if r.type == m.APPROVAL and r.device in flagged
    ]
    known = {r.id for r in records if r.type == m.DEVICE} | set(held)
    known.update(op["id"] for _, _, op in incoming if op["type"] == m.DEVICE)
    unknown: dict[str, set[str]] = {}
    for by, device in named:
        if isinstance(device, str) and device not in known:
            unknown.setdefault(by, set()).add(device)
    for key in [k for k in problems if k[0] == UNKNOWN_DEVICE and k[1] not in unknown]:
        del problems[key]
    for by, devices in unknown.items():
        ids = ", ".join(sorted(d[:8] for d in devices))
        message = (
            f"it approved a device that no file in the shared folder names ({ids}), so "
            "nothing changed. If that device joined only just now, its files may still be on "
            "their way; if it stays, the approval was written by a modified app."
        )
        problems[(UNKNOWN_DEVICE, by, 0)] = Problem(UNKNOWN_DEVICE, by, 0, message).to_dict()


def _within_caps(
    stored: dict[str, list[Any]],
    held: dict[str, list[Any]],
    problems: dict[tuple[str, str, int], dict[str, Any]],
) -> dict[str, list[Any]]:
    """`held` as it may be kept: what was kept before, then what is new, within the limits."""
    old = [(d, pair) for d, pairs in held.items() for pair in pairs[: len(stored.get(d, []))]]
    new = [(d, pair) for d, pairs in held.items() for pair in pairs[len(stored.get(d, [])) :]]
    if not new:
        return held
    kept, over = caps.fit(old, new, lambda item: caps.size_of(item[1]), lambda item: item[0])
    if not over:
        return held
    caps.report(problems, (d for d, _ in over), "changes before it was confirmed")
    out: dict[str, list[Any]] = {}
    for device, pair in kept:
        out.setdefault(device, []).append(pair)
    return out


def _waiting_message(count: int, older_mine: bool) -> str:
    held = f"{count} change(s) from it are held, not merged and not lost."
    if older_mine:
        # the code's secret part is shown only when asked for, never kept in a message
        return (
            f"another device of yours; this device waits for it to confirm this one: {held} "
            "Run `companion devices` here to see this device's code, then on that device run "
            "`companion devices approve CODE`."
        )
    return (
        f"a device not confirmed yet: {held} If it is yours (or your partner's, once you have "
        "compared the safety code in person), approve it here with the code it shows: "
        "`companion devices approve CODE`."
    )


def partner_names(read: dict[str, list[Taken]]) -> dict[str, str]:
    """Partner id → name among changes read but not merged yet, in the order they joined."""
    created: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}
    for pairs in read.values():
        for _, op in pairs:
            if op["type"] != m.PARTNER or op["op"] == "delete":
                continue
            stamp, pid = str(op["hlc"]), str(op["id"])
            if op["op"] == "create" and (pid not in created or stamp < created[pid]):
                created[pid] = stamp
            name = op["fields"].get("name")
            if isinstance(name, str) and (pid not in names or stamp > names[pid][0]):
                names[pid] = (stamp, name)
    return {pid: names[pid][1] for pid in sorted(created, key=created.__getitem__) if pid in names}
