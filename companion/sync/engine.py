"""One sync pass: write this device's waiting changes out, read every device's new files in.

Cursors remember, per device, the last segment merged and its digest, so each pass reads only
what is new, and a journal that goes backwards or forks is noticed. A file still arriving
waits quietly; one that is complete but fails to open is reported and skipped, and the rest
still merges. Merging is order-free, so nothing here depends on the order files arrive in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from companion.domain.hlc import Clock
from companion.domain.records import Record
from companion.store.replica import Replica
from companion.sync import segments
from companion.sync.journal import Journal, Listing, segment_name, snapshot_name
from companion.sync.problems import Problem
from companion.sync.segments import SegmentIncomplete, SegmentInvalid

DAMAGED = "damaged"
FORKED = "forked"
ROLLED_BACK = "rolled-back"
FOREIGN_OPS = "foreign-ops"
SHARED_ID = "shared-id"
STUCK = "stuck"
# A file still incomplete after this long is no longer "arriving": it is reported.
STUCK_AFTER_MS = 30 * 60 * 1000

# Compaction, in two tiers so that no change is rewritten more than twice however long a
# couple uses the app: once this many loose segments pile up they become one snapshot; once
# this many small snapshots pile up they become one large snapshot, which is then final.
# A device's directory stays a few dozen files after years, and the bytes written per change
# stay the same in year ten as in year one.
LOOSE_SEGMENTS = 64
MAX_SNAPSHOTS = 8


@dataclass
class SyncResult:
    folder_available: bool
    exported: int = 0
    imported: list[Record] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    waiting: int = 0
    incoming_ops: list[dict[str, Any]] = field(default_factory=list)


def _problem(kind: str, device: str, seq: int, message: str) -> dict[str, Any]:
    return Problem(kind, device, seq, message).to_dict()


def export_pending(
    replica: Replica,
    journal: Journal,
    clock: Clock,
    extra: list[dict[str, Any]] | None = None,
) -> int:
    """Write every waiting batch (and `extra`) as one new segment of ours; return the op count.

    Once the segment is in place the changes are safe in the shared folder, so this device's
    bookkeeping (its journal position) is only noted in memory: after a crash it is derived
    again from the folder.
    """
    pending = replica.outbox()
    ops = [op for _, batch in pending for op in batch] + list(extra or ())
    if not ops or not journal.available():
        return 0
    own = replica.meta("own", {"seq": 0, "hash": ""})
    listing = journal.listing(journal.device_id)
    last = max(own["seq"], listing.last_seq)
    prev = own["hash"] if last == own["seq"] else (journal.digest_of(journal.device_id, last) or "")
    seq = last + 1
    while True:
        try:
            digest = journal.write(seq, prev, ops)
            break
        except FileExistsError:
            # another process of this profile took that number: chain onto its segment
            prev = journal.digest_of(journal.device_id, seq) or ""
            seq += 1
    replica.set_meta(defer=True, own={"seq": seq, "hash": digest}, clock=clock.last)
    if extra is None:
        advance_own_cursor(replica, journal, clock)
    if pending:
        replica.outbox_remove(name for name, _ in pending)
    listing.segments[seq] = segment_name(seq)
    compact_own(journal, listing)
    return len(ops)


def advance_own_cursor(replica: Replica, journal: Journal, clock: Clock) -> None:
    """Our newest segment's changes are in the replica: move our own read cursor past it."""
    own = replica.meta("own", {"seq": 0, "hash": ""})
    cursors = replica.meta("cursors", {})
    mine = cursors.get(journal.device_id, {"seq": 0, "hash": ""})
    if mine["seq"] == own["seq"] - 1:
        cursors[journal.device_id] = {**mine, **own, "last_hlc": clock.last}
        replica.set_meta(defer=True, cursors=cursors)


def compact_own(journal: Journal, listing: Listing) -> bool:
    """Fold our older segments, or our small snapshots, into one snapshot when enough pile up."""
    last_snapshot = max((b for _, b in listing.snapshots), default=0)
    loose = sorted(s for s in listing.segments if s > last_snapshot)
    if len(loose) > LOOSE_SEGMENTS:
        return _fold(journal, [], loose[:-1])  # the newest stays loose for readers to chain on
    final_span = LOOSE_SEGMENTS * MAX_SNAPSHOTS
    small = [(a, b) for a, b in listing.snapshots if b - a + 1 < final_span]
    if len(small) > MAX_SNAPSHOTS:
        return _fold(journal, small, [])
    return False


def _fold(journal: Journal, snaps: list[tuple[int, int]], seqs: list[int]) -> bool:
    """Write one snapshot covering `snaps` and `seqs` (a contiguous run), then drop them."""
    device = journal.device_id
    ops: list[dict[str, Any]] = []
    prev = last_hash = ""
    first = last = None
    names: list[str] = []
    try:
        for a, b in snaps:
            snap = journal.read_snapshot(device, a, b)
            if snap is None:
                return False
            if first is None:
                first, prev = a, snap.prev
            elif a != last + 1:
                return False
            ops += snap.ops
            last, last_hash = b, snap.last_hash
            names.append(snapshot_name(a, b))
        for seq in seqs:
            segment = journal.read(device, seq)
            if segment is None:
                return False
            if first is None:
                first, prev = seq, segment.prev
            elif seq != last + 1:
                return False
            ops += segment.ops
            last, last_hash = seq, segment.digest
            names.append(segment_name(seq))
    except (SegmentIncomplete, SegmentInvalid):
        return False  # never compact over something we can't read; verify reports it
    if first is None or last is None or first == last:
        return False
    journal.write_snapshot(first, last, prev, last_hash, segments.compact(ops))
    journal.remove_own(names)
    return True


class _Reader:
    """Reads one device's new files past its cursor."""

    def __init__(
        self, journal: Journal, device: str, cursor: dict[str, Any], problems, now_ms: int
    ):
        self.now_ms = now_ms
        self.journal = journal
        self.device = device
        self.cursor = cursor
        self.problems = problems
        self.ops: list[dict[str, Any]] = []

    def take(self, seq: int, ops: list[dict[str, Any]]) -> None:
        suffix = "." + self.device
        for op in ops:
            if op["device"] != self.device or not op["hlc"].endswith(suffix):
                self.problems[(FOREIGN_OPS, self.device, seq)] = _problem(
                    FOREIGN_OPS, self.device, seq, "holds changes signed as another device"
                )
                continue
            self.ops.append(op)

    def damaged(self, seq: int, what: str, exc: Exception) -> None:
        self.problems[(DAMAGED, self.device, seq)] = _problem(
            DAMAGED, self.device, seq, f"{what} is damaged or tampered with ({exc})"
        )

    def run(self, listing: Listing, seen_conflicts: dict[str, str], own: bool) -> None:
        cursor = self.cursor
        self.retry_skipped()
        self.retry_skipped_snapshots(listing)
        if listing.last_seq < cursor["seq"] and (listing.segments or listing.snapshots):
            self.problems[(ROLLED_BACK, self.device, listing.last_seq)] = _problem(
                ROLLED_BACK,
                self.device,
                listing.last_seq,
                f"its journal went back from {cursor['seq']} to {listing.last_seq} "
                "(a restored backup?)",
            )
        elif cursor["seq"] and cursor["hash"] and cursor["seq"] in listing.segments:
            current = self.journal.digest_of(self.device, cursor["seq"])
            if current is not None and current != cursor["hash"]:
                # a different file at a number already read: another history (a fork) only if
                # it opens; otherwise it is damage, reported as such and nothing re-read
                try:
                    self.journal.read(self.device, cursor["seq"])
                except SegmentIncomplete:
                    pass
                except SegmentInvalid as exc:
                    self.damaged(cursor["seq"], f"segment {cursor['seq']}", exc)
                else:
                    self.fork(cursor["seq"])
        self.forward(listing)
        self.conflicts(listing, seen_conflicts, own)

    def retry_skipped(self) -> None:
        for seq in list(self.cursor.get("skipped", [])):
            try:
                segment = self.journal.read(self.device, seq)
            except SegmentIncomplete:
                continue
            except SegmentInvalid as exc:
                self.damaged(seq, f"segment {seq}", exc)  # still damaged: still reported
                continue
            if segment is not None:
                self.take(seq, segment.ops)
            self.cursor["skipped"].remove(seq)
            self.problems.pop((DAMAGED, self.device, seq), None)

    def retry_skipped_snapshots(self, listing: Listing) -> None:
        for first, last in [tuple(r) for r in self.cursor.get("skipped_snapshots", [])]:
            # the snapshot itself, or a larger one that has since taken it in
            covering = [(a, b) for a, b in listing.snapshots if a <= first and last <= b]
            for a, b in sorted(covering, key=lambda r: r[1] - r[0]):
                try:
                    snap = self.journal.read_snapshot(self.device, a, b)
                except (SegmentIncomplete, SegmentInvalid):
                    continue
                if snap is None:
                    continue
                self.take(a, snap.ops)
                self.cursor["skipped_snapshots"].remove([first, last])
                self.problems.pop((DAMAGED, self.device, first), None)
                break

    def fork(self, seq: int) -> None:
        """Two histories under one device id: re-read all of it (merging is idempotent)."""
        self.problems[(FORKED, self.device, seq)] = _problem(
            FORKED,
            self.device,
            seq,
            f"its journal forked at segment {seq}: two devices may share one profile "
            "(a cloned laptop or restored backup). Everything from both is kept.",
        )
        self.cursor.update(seq=0, hash="")

    def forward(self, listing: Listing) -> None:
        cursor = self.cursor
        while True:
            nxt = cursor["seq"] + 1
            if nxt in listing.segments:
                try:
                    segment = self.journal.read(self.device, nxt)
                except SegmentIncomplete:
                    self.incomplete(nxt)
                    return
                except SegmentInvalid as exc:
                    self.damaged(nxt, f"segment {nxt}", exc)
                    cursor.setdefault("skipped", []).append(nxt)
                    cursor.update(seq=nxt, hash="")
                    continue
                if segment is None:
                    return
                if cursor["hash"] and segment.prev != cursor["hash"]:
                    self.problems[(FORKED, self.device, nxt)] = _problem(
                        FORKED,
                        self.device,
                        nxt,
                        f"its journal forked at segment {nxt}: two devices may share one "
                        "profile. Everything from both is kept.",
                    )
                self.take(nxt, segment.ops)
                last_hlc = max((op["hlc"] for op in segment.ops), default="")
                cursor.update(
                    seq=nxt, hash=segment.digest, last_hlc=max(last_hlc, cursor.get("last_hlc", ""))
                )
                continue
            covering = [(a, b) for a, b in listing.snapshots if a <= nxt <= b]
            if not covering:
                return
            first, last = max(covering, key=lambda r: r[1])
            try:
                snap = self.journal.read_snapshot(self.device, first, last)
            except SegmentIncomplete:
                self.incomplete(nxt)
                return
            except SegmentInvalid as exc:
                # reported and passed over: the segments after it still merge, and it is
                # read again each pass in case a good copy comes back
                self.damaged(first, f"snapshot {first}–{last}", exc)
                cursor.setdefault("skipped_snapshots", []).append([first, last])
                cursor.update(seq=last, hash="")
                continue
            if snap is None:
                return
            self.take(first, snap.ops)
            last_hlc = max((op["hlc"] for op in snap.ops), default="")
            cursor.update(
                seq=last, hash=snap.last_hash, last_hlc=max(last_hlc, cursor.get("last_hlc", ""))
            )

    def incomplete(self, seq: int) -> None:
        """Wait quietly for a file still arriving; report it once it has waited too long."""
        cursor = self.cursor
        if cursor.get("waiting") != seq:
            cursor.update(waiting=seq, waiting_since=self.now_ms)
        elif self.now_ms - cursor.get("waiting_since", self.now_ms) > STUCK_AFTER_MS:
            self.problems[(STUCK, self.device, seq)] = _problem(
                STUCK,
                self.device,
                seq,
                f"file {seq} has stayed incomplete for a long time; changes after it wait. "
                "Check the sync tool on the other machine.",
            )

    def conflicts(self, listing: Listing, seen: dict[str, str], own: bool) -> None:
        for conflict in listing.conflicts:
            key = f"{self.device}/{conflict.name}"
            if key in seen:
                if own:
                    self.journal.set_aside(conflict.name)
                continue
            try:
                found = self.journal.read_conflict(self.device, conflict)
            except SegmentIncomplete:
                continue
            except SegmentInvalid as exc:
                self.damaged(conflict.first, f"conflict copy {conflict.name}", exc)
                seen[key] = "damaged"
                continue
            if found is None:
                continue
            self.take(conflict.first, found.ops)
            seen[key] = "merged"
            self.problems[(SHARED_ID, self.device, conflict.first)] = _problem(
                SHARED_ID,
                self.device,
                conflict.first,
                f"the sync tool made a conflict copy ({conflict.name}): two devices are "
                "writing as one. Its changes were merged; give one of them a fresh profile "
                "with `companion join`.",
            )
            if own:
                self.journal.set_aside(conflict.name)


def import_new(
    replica: Replica,
    journal: Journal,
    clock: Clock,
    now_ms: int,
    progress: Callable[[float], None] | None = None,
) -> SyncResult:
    """Merge every device's files past our cursors into the replica.

    `progress` hears the fraction done (reading the files is the first half, merging the
    second), for a progress bar on a long rebuild such as a new device joining.
    """
    result = SyncResult(folder_available=journal.available())
    if not result.folder_available:
        return result
    cursors: dict[str, dict[str, Any]] = replica.meta("cursors", {})
    problems = {(p["kind"], p["device"], p["seq"]): p for p in replica.meta("problems", [])}
    seen_conflicts: dict[str, str] = replica.meta("conflicts", {})
    incoming: list[dict[str, Any]] = []
    devices = journal.device_ids()
    for index, device in enumerate(devices):
        cursor = dict(cursors.get(device) or {"seq": 0, "hash": ""})
        reader = _Reader(journal, device, cursor, problems, now_ms)
        reader.run(journal.listing(device), seen_conflicts, own=device == journal.device_id)
        if cursor.get("waiting", 0) <= cursor["seq"]:
            cursor.pop("waiting", None)
            cursor.pop("waiting_since", None)
            for key in [k for k in problems if k[0] == STUCK and k[1] == device]:
                del problems[key]
        incoming += reader.ops
        cursors[device] = cursor
        if progress is not None:
            progress(0.5 * (index + 1) / len(devices))
    if incoming:
        merged = (
            None if progress is None else (lambda done, total: progress(0.5 + 0.5 * done / total))
        )
        result.imported = replica.apply(incoming, progress=merged)
        result.incoming_ops = incoming
        for op in incoming:
            clock.observe(op["hlc"], now_ms)
    result.problems = sorted(problems.values(), key=lambda p: (p["device"], p["seq"], p["kind"]))
    replica.set_meta(
        cursors=cursors,
        problems=result.problems,
        conflicts=seen_conflicts,
        last_sync=now_ms,
        clock=clock.last,
    )
    return result


def sync_once(replica: Replica, journal: Journal, clock: Clock, now_ms: int) -> SyncResult:
    exported = export_pending(replica, journal, clock)
    result = import_new(replica, journal, clock, now_ms)
    result.exported = exported
    result.waiting = replica.outbox_count()
    return result
