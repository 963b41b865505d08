"""One sync pass: write this device's waiting changes out, read every device's new files in.

Cursors remember, per device, the last segment merged and its digest, so each pass reads only
what is new, and a journal that goes backwards or forks is noticed. A file still arriving
waits quietly; one that is complete but fails to open is reported and skipped, and the rest
still merges. Merging is order-free, so nothing here depends on the order files arrive in.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from companion.domain import model as m
from companion.domain.hlc import Clock
from companion.domain.records import Record
from companion.store import bounded
from companion.store.replica import CORE, Replica
from companion.sync import horizon, layout, lifetime, quarantine, segments, trust
from companion.sync.admission import admit_changes
from companion.sync.journal import Journal, Listing, segment_name, snapshot_name
from companion.sync.names import note_same_name
from companion.sync.ownership import Arrival

# The kinds of problem a pass reports are part of this module's interface (verify names its
# findings after them); the `as` says so to type checkers.
from companion.sync.problems import DAMAGED as DAMAGED
from companion.sync.problems import FOREIGN_OPS as FOREIGN_OPS
from companion.sync.problems import FORGED as FORGED
from companion.sync.problems import FORKED as FORKED
from companion.sync.problems import FUTURE as FUTURE
from companion.sync.problems import INVALID as INVALID
from companion.sync.problems import NOT_A_FOLDER as NOT_A_FOLDER
from companion.sync.problems import NOT_ALLOWED as NOT_ALLOWED
from companion.sync.problems import ROLLED_BACK as ROLLED_BACK
from companion.sync.problems import SHARED_ID as SHARED_ID
from companion.sync.problems import SIGNER as SIGNER
from companion.sync.problems import STUCK as STUCK
from companion.sync.problems import UNCONFIRMED as UNCONFIRMED
from companion.sync.problems import UNKNOWN_ENTRY as UNKNOWN_ENTRY
from companion.sync.reader import STUCK_AFTER_MS as STUCK_AFTER_MS
from companion.sync.reader import Reader
from companion.sync.segments import SegmentIncomplete, SegmentInvalid

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
    # What was read before this replica knew whose it is (a join): see `settle_read`.
    unsettled: dict[str, list[trust.Taken]] = field(default_factory=dict)


def export_pending(
    replica: Replica,
    journal: Journal,
    clock: Clock,
    extra: list[dict[str, Any]] | None = None,
) -> int:
    """Write every waiting batch (and `extra`) as a new segment of ours; return the op count.

    One segment, unless a long backlog is too large for one (see `segments.batches`).

    Once the segment is in place the changes are safe in the shared folder, so this device's
    bookkeeping (its journal position) is only noted in memory: after a crash it is derived
    again from the folder.
    """
    pending = replica.outbox()
    ops = [op for _, batch in pending for op in batch] + list(extra or ())
    if not ops or not journal.available():
        return 0
    own = replica.meta("own", {"seq": 0, "hash": ""})
    # what this device has read of its own journal (authenticated) counts as its own too
    read = replica.meta("cursors", {}).get(journal.device_id) or {"seq": 0, "hash": ""}
    if read["seq"] > own["seq"] and read.get("hash"):
        own = {"seq": read["seq"], "hash": read["hash"]}
    listing = journal.listing(journal.device_id)
    last = own_end(journal, listing, own["seq"])
    prev = own["hash"] if last == own["seq"] else (journal.digest_of(journal.device_id, last) or "")
    seq = last
    try:
        for batch in segments.batches(ops):
            seq += 1
            while True:
                try:
                    digest = journal.write(seq, prev, batch)
                    break
                except FileExistsError:
                    # another process of this profile took that number: chain onto its segment
                    prev = journal.digest_of(journal.device_id, seq) or ""
                    seq += 1
            listing.segments[seq] = segment_name(seq)
            prev = digest
    except OSError:
        # A folder that is there but can't be written (read-only, full, a mount gone bad):
        # nothing counts as shared, and the changes wait in the outbox like when it's away.
        # Whatever did get written merges again harmlessly (merging is idempotent).
        return 0
    replica.set_meta(defer=True, own={"seq": seq, "hash": digest}, clock=clock.last)
    if extra is None:
        advance_own_cursor(replica, journal, clock)
    if pending:
        replica.outbox_remove(name for name, _ in pending)
    with contextlib.suppress(OSError):  # compaction can wait for a writable folder
        compact_own(journal, _up_to(listing, seq))
    return len(ops)


def own_end(journal: Journal, listing: Listing, seq: int) -> int:
    """Where this device's journal ends: from `seq` (as far as its bookkeeping knows), on
    through the files that follow one another in its folder (written before a crash, or by
    another process of this profile). A file named far beyond, planted by anyone, moves
    nothing; a snapshot counts only once it opens as this device's own."""
    while True:
        nxt = seq + 1
        if nxt in listing.segments or nxt in listing.blocked:
            seq = nxt
            continue
        covering = [(a, b) for a, b in listing.snapshots if a <= nxt <= b]
        covering.sort(key=lambda r: r[1], reverse=True)
        end = next((b for a, b in covering if _is_own_snapshot(journal, a, b)), None)
        if end is None:
            return seq
        seq = end


def _up_to(listing: Listing, seq: int) -> Listing:
    """The listing's segments and snapshots up to `seq`: names beyond where this device's
    journal ends are none of its own, and compaction leaves them be."""
    return Listing(
        segments={s: name for s, name in listing.segments.items() if s <= seq},
        snapshots=[(a, b) for a, b in listing.snapshots if b <= seq],
    )


def _is_own_snapshot(journal: Journal, first: int, last: int) -> bool:
    try:
        snap = journal.read_snapshot(journal.device_id, first, last)
    except (SegmentIncomplete, SegmentInvalid):
        return False
    if snap is None:
        return False
    return journal.signer is None or snap.signer == journal.signer.public


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
    """Write one snapshot covering `snaps` and `seqs` (a contiguous run), then drop them.

    Junk planted under one of our numbers (our next change then chains past it) stays where
    it is, for readers to report, and the run starts again after it; so does a gap in the
    run. Otherwise that file would stop compaction for good.
    """
    device = journal.device_id
    ops: list[dict[str, Any]] = []
    prev = last_hash = ""
    first: int | None = None
    last = 0  # read only once `first` is set, and set along with it
    names: list[str] = []
    runs: list[tuple[int, int, int | None]] = [(a, b, None) for a, b in snaps]
    runs += [(seq, seq, seq) for seq in seqs]
    for a, b, seq in runs:
        found: tuple[str, str, list[dict[str, Any]]] | None = None  # (prev, last hash, ops)
        try:
            if seq is None:
                snap = journal.read_snapshot(device, a, b)
                found = (snap.prev, snap.last_hash, snap.ops) if snap else None
            else:
                segment = journal.read(device, seq)
                found = (segment.prev, segment.digest, segment.ops) if segment else None
        except SegmentIncomplete:
            return False  # never compact over something not whole yet
        except SegmentInvalid:
            pass  # junk: never compacted over, nor removed; verify reports it
        if found is None or (first is not None and a != last + 1):
            ops, names, first = [], [], None  # start again after it
            if found is None:
                continue
        if first is None:
            first, prev = a, found[0]
        ops += found[2]
        last, last_hash = b, found[1]
        names.append(snapshot_name(a, b) if seq is None else segment_name(seq))
    if first is None or first == last:
        return False
    try:
        journal.write_snapshot(first, last, prev, last_hash, segments.compact(ops))
    except bounded.OverLimit:
        return False  # more than a reader takes in one snapshot: the files stay as they are
    journal.remove_own(names)
    return True


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
        result.problems = layout.folder_problems(journal)
        return result
    cursors: dict[str, dict[str, Any]] = replica.meta("cursors", {})
    problems = {(p["kind"], p["device"], p["seq"]): p for p in replica.meta("problems", [])}
    seen_conflicts: dict[str, str] = replica.meta("conflicts", {})
    fresh: dict[str, list[trust.Taken]] = {}
    refused: list[quarantine.Refusal] = []
    forged: list[quarantine.Refusal] = []
    devices = journal.device_ids()
    listings = {device: journal.listing(device) for device in devices}
    for index, device in enumerate(devices):
        cursor = dict(cursors.get(device) or {"seq": 0, "hash": ""})
        if device == journal.device_id and journal.signer is not None:
            # This device's own files are signed with its own key, whatever else is planted
            # in its directory (a key pinned there first would be whoever planted first).
            cursor["key"] = base64.b64encode(journal.signer.public).decode("ascii")
        reader = Reader(journal, device, cursor, problems, now_ms)
        reader.run(listings[device], seen_conflicts, own=device == journal.device_id)
        if cursor.get("waiting", 0) <= cursor["seq"]:
            cursor.pop("waiting", None)
            cursor.pop("waiting_since", None)
            for key in [k for k in problems if k[0] == STUCK and k[1] == device]:
                del problems[key]
        fresh[device] = reader.taken
        refused += [(device, seq, op, why) for seq, op, why in reader.refused]
        forged += [(device, seq, op, why) for seq, op, why in reader.forged]
        cursors[device] = cursor
        if progress is not None:
            progress(0.5 * (index + 1) / len(devices))
    if refused:
        quarantine.hold(replica, journal.device_id, refused, problems)
    if forged:
        quarantine.hold(replica, journal.device_id, forged, problems, kind=FORGED)
    settled = trust.state(replica)
    if settled is None:
        result.unsettled = fresh  # whose device this is isn't known yet: nothing merges
    else:
        _merge(replica, journal, clock, now_ms, fresh, problems, result, progress)
        note_same_name(replica, str(settled.get("me") or ""), problems)
    result.problems = _sorted(problems)
    live = layout.folder_problems(journal, listings)  # found afresh each time, never kept
    replica.set_meta(
        cursors=cursors,
        problems=result.problems,
        conflicts=seen_conflicts,
        last_sync=now_ms,
        clock=clock.last,
    )
    result.problems = [*result.problems, *live]
    return result


def _rights(
    replica: Replica,
    own_device: str,
    arrivals: list[Arrival],
    problems: dict[tuple[str, str, int], dict[str, Any]],
) -> list[dict[str, Any]]:
    """The pass's operations (and those still waiting) that their authors may make."""
    before = quarantine.waiting(replica)
    if not arrivals and not before:
        return []
    partners = [r.id for r in replica.records_of([m.PARTNER], [CORE])]
    judged = admit_changes([*before, *arrivals], replica.owners, partners)
    quarantine.keep_waiting(replica, before, judged.waiting, problems)
    if judged.refused:
        quarantine.refuse(replica, own_device, judged.refused, problems)
    return [a.op for a in judged.allowed]


def settle_read(
    replica: Replica, journal: Journal, clock: Clock, now_ms: int, unsettled: SyncResult
) -> SyncResult:
    """Merge what a pass read before this replica knew whose it is, now that it does."""
    problems = {(p["kind"], p["device"], p["seq"]): p for p in replica.meta("problems", [])}
    result = SyncResult(folder_available=unsettled.folder_available)
    _merge(replica, journal, clock, now_ms, unsettled.unsettled, problems, result, None)
    note_same_name(replica, str((trust.state(replica) or {}).get("me") or ""), problems)
    result.problems = _sorted(problems)
    replica.set_meta(problems=result.problems, clock=clock.last)
    return result


def _merge(
    replica: Replica,
    journal: Journal,
    clock: Clock,
    now_ms: int,
    fresh: dict[str, list[trust.Taken]],
    problems: dict[tuple[str, str, int], dict[str, Any]],
    result: SyncResult,
    progress: Callable[[float], None] | None,
) -> None:
    """Merge the changes of trusted devices (see trust.py); hold the rest."""
    secret = journal.signer.approval_secret() if journal.signer is not None else ""
    trusted = trust.settle(replica, journal.device_id, fresh, problems, secret)
    trusted = horizon.admit_in_time(replica, journal.device_id, trusted, now_ms, problems)
    me = str((trust.state(replica) or {}).get("me") or "")
    trusted, outside = lifetime.within_lifetime(replica, trusted, now_ms, me)
    if outside:
        quarantine.hold(replica, journal.device_id, outside, problems)
    arrivals = [Arrival(device, seq, op) for device, seq, op in trusted]
    incoming = _rights(replica, journal.device_id, arrivals, problems)
    if incoming:
        merged = (
            None if progress is None else (lambda done, total: progress(0.5 + 0.5 * done / total))
        )
        result.imported = replica.apply(incoming, progress=merged)
        result.incoming_ops = incoming
        for op in incoming:
            clock.observe(op["hlc"], now_ms)


def _sorted(problems: dict[tuple[str, str, int], dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(problems.values(), key=lambda p: (p["device"], p["seq"], p["kind"]))


def sync_once(replica: Replica, journal: Journal, clock: Clock, now_ms: int) -> SyncResult:
    exported = export_pending(replica, journal, clock)
    result = import_new(replica, journal, clock, now_ms)
    result.exported = exported
    result.waiting = replica.outbox_count()
    return result
