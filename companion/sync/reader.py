"""Reading one device's new files past its cursor, and the problems met on the way.

Segments in order, snapshots where segments were folded, the sync tool's conflict copies on the
side. What goes wrong (damage, a fork, a journal gone backwards, changes signed as another
device, a file stuck arriving) is noted as a problem keyed by kind, device and number.
"""

from __future__ import annotations

from typing import Any

from companion.domain.schema import Invalid
from companion.sync.admission import admit
from companion.sync.journal import Journal, Listing
from companion.sync.problems import (
    DAMAGED,
    FOREIGN_OPS,
    FORKED,
    ROLLED_BACK,
    SHARED_ID,
    STUCK,
    Problem,
)
from companion.sync.segments import SegmentIncomplete, SegmentInvalid

# A file still incomplete after this long is no longer "arriving": it is reported.
STUCK_AFTER_MS = 30 * 60 * 1000


def _problem(kind: str, device: str, seq: int, message: str) -> dict[str, Any]:
    return Problem(kind, device, seq, message).to_dict()


class Reader:
    """Reads one device's new files past its cursor."""

    def __init__(
        self,
        journal: Journal,
        device: str,
        cursor: dict[str, Any],
        problems: dict[tuple[str, str, int], dict[str, Any]],
        now_ms: int,
    ) -> None:
        self.now_ms = now_ms
        self.journal = journal
        self.device = device
        self.cursor = cursor
        self.problems = problems
        self.ops: list[dict[str, Any]] = []
        self.seqs: list[int] = []  # the number of the file that held each of `ops`
        # Operations the admission refused, with the number of the file that held each.
        self.refused: list[tuple[int, dict[str, Any], Invalid]] = []

    def take(self, seq: int, ops: list[dict[str, Any]]) -> None:
        suffix = "." + self.device
        for op in ops:
            if op["device"] != self.device or not op["hlc"].endswith(suffix):
                self.problems[(FOREIGN_OPS, self.device, seq)] = _problem(
                    FOREIGN_OPS, self.device, seq, "holds changes signed as another device"
                )
                continue
            admitted, refused = admit(op)
            if refused is not None:
                self.refused.append((seq, op, refused))
            elif admitted is not None:
                self.ops.append(admitted)
                self.seqs.append(seq)

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
