"""One sync pass: write this device's waiting changes out, read every device's new segments in.

Cursors remember, per device, the last segment merged and its digest, so each pass reads only
what is new, and a journal that goes backwards or forks is noticed. A segment still arriving
waits quietly; one that is complete but fails to open is reported and skipped, and the rest
still merges. Merging is order-free, so nothing here depends on the order files arrive in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from companion.domain.hlc import Clock
from companion.domain.records import Record
from companion.store.replica import Replica
from companion.sync.journal import Journal
from companion.sync.segments import SegmentIncomplete, SegmentInvalid

DAMAGED = "damaged"
FORKED = "forked"
ROLLED_BACK = "rolled-back"
FOREIGN_OPS = "foreign-ops"


@dataclass
class SyncResult:
    folder_available: bool
    exported: int = 0
    imported: list[Record] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    waiting: int = 0


def _problem(kind: str, device: str, seq: int, message: str) -> dict[str, Any]:
    return {"kind": kind, "device": device, "seq": seq, "message": message}


def export_pending(replica: Replica, journal: Journal, clock: Clock) -> int:
    """Write every waiting batch as one new segment of ours; return how many ops went out."""
    pending = replica.outbox()
    if not pending or not journal.available():
        return 0
    ops = [op for _, batch in pending for op in batch]
    own = replica.meta("own", {"seq": 0, "hash": ""})
    on_disk = journal.segment_seqs(journal.device_id)
    last = max(own["seq"], on_disk[-1] if on_disk else 0)
    prev = own["hash"] if last == own["seq"] else (journal.digest_of(journal.device_id, last) or "")
    seq = last + 1
    digest = journal.write(seq, prev, ops)
    cursors = replica.meta("cursors", {})
    mine = cursors.get(journal.device_id, {"seq": 0, "hash": ""})
    if mine["seq"] == last:
        cursors[journal.device_id] = {**mine, "seq": seq, "hash": digest, "last_hlc": clock.last}
    replica.set_meta(own={"seq": seq, "hash": digest}, cursors=cursors, clock=clock.last)
    replica.outbox_remove(name for name, _ in pending)
    return len(ops)


def import_new(replica: Replica, journal: Journal, clock: Clock, now_ms: int) -> SyncResult:
    """Merge every device's segments past our cursors into the replica."""
    result = SyncResult(folder_available=journal.available())
    if not result.folder_available:
        return result
    cursors: dict[str, dict[str, Any]] = replica.meta("cursors", {})
    problems = {(p["kind"], p["device"], p["seq"]): p for p in replica.meta("problems", [])}
    incoming: list[dict[str, Any]] = []

    def take(device: str, seq: int, ops: list[dict[str, Any]]) -> None:
        for op in ops:
            if op["device"] != device or not op["hlc"].endswith("." + device):
                key = (FOREIGN_OPS, device, seq)
                problems[key] = _problem(
                    FOREIGN_OPS, device, seq, "holds changes signed as another device"
                )
                continue
            incoming.append(op)

    for device in journal.device_ids():
        cursor = dict(cursors.get(device) or {"seq": 0, "hash": ""})
        seqs = journal.segment_seqs(device)
        # Damaged segments are retried each pass: a sync tool may have put a good copy back.
        for seq in list(cursor.get("skipped", [])):
            try:
                segment = journal.read(device, seq)
            except (SegmentIncomplete, SegmentInvalid):
                continue
            if segment is not None:
                take(device, seq, segment.ops)
            cursor["skipped"].remove(seq)
            problems.pop((DAMAGED, device, seq), None)
        if seqs and seqs[-1] < cursor["seq"]:
            problems[(ROLLED_BACK, device, seqs[-1])] = _problem(
                ROLLED_BACK,
                device,
                seqs[-1],
                f"its journal went back from segment {cursor['seq']} to {seqs[-1]} "
                "(a restored backup?)",
            )
        for seq in seqs:
            if seq <= cursor["seq"]:
                continue
            if seq != cursor["seq"] + 1:
                break  # a gap: the missing segment hasn't arrived yet
            try:
                segment = journal.read(device, seq)
            except SegmentIncomplete:
                break
            except SegmentInvalid as exc:
                problems[(DAMAGED, device, seq)] = _problem(
                    DAMAGED, device, seq, f"segment {seq} is damaged or tampered with ({exc})"
                )
                cursor.setdefault("skipped", []).append(seq)
                cursor.update(seq=seq, hash="")
                continue
            if segment is None:
                break
            if cursor["hash"] and segment.prev != cursor["hash"]:
                problems[(FORKED, device, seq)] = _problem(
                    FORKED,
                    device,
                    seq,
                    f"its journal forked at segment {seq} (a cloned profile or restored backup?)",
                )
            take(device, seq, segment.ops)
            last_hlc = max((op["hlc"] for op in segment.ops), default=cursor.get("last_hlc", ""))
            cursor.update(seq=seq, hash=segment.digest, last_hlc=last_hlc)
        cursors[device] = cursor

    if incoming:
        changed = replica.apply(incoming)
        result.imported = changed
        for op in incoming:
            clock.observe(op["hlc"], now_ms)
    result.problems = sorted(problems.values(), key=lambda p: (p["device"], p["seq"], p["kind"]))
    replica.set_meta(cursors=cursors, problems=result.problems, last_sync=now_ms, clock=clock.last)
    return result


def sync_once(replica: Replica, journal: Journal, clock: Clock, now_ms: int) -> SyncResult:
    exported = export_pending(replica, journal, clock)
    result = import_new(replica, journal, clock, now_ms)
    result.exported = exported
    result.waiting = replica.outbox_count()
    return result
