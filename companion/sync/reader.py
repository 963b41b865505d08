"""Reading one device's new files past its cursor, and the problems met on the way.

Segments in order, snapshots where segments were folded, the sync tool's conflict copies on the
side. What goes wrong (damage, a fork, a journal gone backwards, changes signed as another
device, a file stuck arriving) is noted as a problem keyed by kind, device and number.
"""

from __future__ import annotations

import base64
from typing import Any

from companion.domain import model as m
from companion.domain.schema import Invalid
from companion.sync.admission import admit
from companion.sync.journal import Journal, Listing
from companion.sync.problems import (
    DAMAGED,
    FOREIGN_OPS,
    FORKED,
    ROLLED_BACK,
    SHARED_ID,
    SIGNER,
    STUCK,
    Problem,
)
from companion.sync.segments import Segment, SegmentIncomplete, SegmentInvalid, Snapshot

# A file still incomplete after this long is no longer "arriving": it is reported.
STUCK_AFTER_MS = 30 * 60 * 1000


def _problem(kind: str, device: str, seq: int, message: str) -> dict[str, Any]:
    return Problem(kind, device, seq, message).to_dict()


class SegmentUntrusted(SegmentInvalid):
    """The file opens, but its device can't have written it (see `Reader.signed`)."""


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
        # Operations the admission refused, with the number of the file that held each.
        self.refused: list[tuple[int, dict[str, Any], Invalid]] = []
        # Operations admitted, with their file's number (the engine decides, by the device's
        # trust and owner, which of them merge: see trust.py).
        self.taken: list[tuple[int, dict[str, Any]]] = []
        # Changes this device can't have made as itself (see `_device_claim`).
        self.forged: list[tuple[int, dict[str, Any], Invalid]] = []

    @property
    def ops(self) -> list[dict[str, Any]]:
        return [op for _, op in self.taken]

    def take(self, seq: int, ops: list[dict[str, Any]], signer: bytes | None = None) -> None:
        suffix = "." + self.device
        for op in ops:
            if op["device"] != self.device or not op["hlc"].endswith(suffix):
                self.problems[(FOREIGN_OPS, self.device, seq)] = _problem(
                    FOREIGN_OPS, self.device, seq, "holds changes signed as another device"
                )
                continue
            admitted, refused = admit(op)
            forged = _device_claim(op, signer) if op["type"] == m.DEVICE else None
            if refused is None and forged is not None:
                self.forged.append((seq, op, forged))
            elif refused is not None:
                self.refused.append((seq, op, refused))
            elif admitted is not None:
                self.taken.append((seq, admitted))

    def signed(self, first: int, last: int, signer: bytes | None) -> None:
        """Check a file's signer against the key pinned for this device (pinning the first
        one seen); raise SegmentInvalid for a file this device can't have written."""
        cursor = self.cursor
        since = cursor.get("signed_since")
        if signer is None:
            if isinstance(since, int) and last >= since:
                raise SegmentUntrusted(
                    f"it isn't signed, though this device has signed everything since file {since}"
                )
            return
        key = base64.b64encode(signer).decode("ascii")
        pinned = cursor.get("key")
        if pinned is None:
            cursor["key"] = key
        elif pinned != key:
            raise SegmentUntrusted(
                "it is signed with another key than this device's own; a device keeps one key"
            )
        cursor["signed_since"] = first if not isinstance(since, int) else min(since, first)

    def read(self, seq: int) -> Segment | None:
        segment = self.journal.read(self.device, seq)
        if segment is not None:
            self.signed(seq, seq, segment.signer)
        return segment

    def read_snapshot(self, first: int, last: int) -> Snapshot | None:
        snap = self.journal.read_snapshot(self.device, first, last)
        if snap is not None:
            self.signed(first, last, snap.signer)
        return snap

    def damaged(self, seq: int, what: str, exc: Exception) -> None:
        if isinstance(exc, SegmentUntrusted):
            self.problems[(SIGNER, self.device, seq)] = _problem(
                SIGNER,
                self.device,
                seq,
                f"{what} can't be this device's own: {exc}. It was skipped, and everything "
                "else merged. If you didn't expect this, compare the safety code with your "
                "partner in person (`companion devices`).",
            )
            return
        self.problems[(DAMAGED, self.device, seq)] = _problem(
            DAMAGED, self.device, seq, f"{what} is damaged or tampered with ({exc})"
        )

    def mended(self, seq: int) -> None:
        """A file skipped before reads well now: forget what was noted about it."""
        self.problems.pop((DAMAGED, self.device, seq), None)
        self.problems.pop((SIGNER, self.device, seq), None)

    def run(self, listing: Listing, seen_conflicts: dict[str, str], own: bool) -> None:
        cursor = self.cursor
        self.retry_skipped()
        self.retry_skipped_snapshots(listing)
        back_to = self.journal.went_back_to(self.device, cursor["seq"], listing)
        if back_to is not None:
            self.problems[(ROLLED_BACK, self.device, back_to)] = _problem(
                ROLLED_BACK,
                self.device,
                back_to,
                f"its journal went back from {cursor['seq']} to {back_to} (a restored backup?)",
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
                segment = self.read(seq)
            except SegmentIncomplete:
                continue
            except SegmentInvalid as exc:
                self.damaged(seq, f"segment {seq}", exc)  # still damaged: still reported
                continue
            if segment is not None:
                self.take(seq, segment.ops, segment.signer)
            self.cursor["skipped"].remove(seq)
            self.mended(seq)

    def retry_skipped_snapshots(self, listing: Listing) -> None:
        for first, last in [tuple(r) for r in self.cursor.get("skipped_snapshots", [])]:
            # the snapshot itself, or a larger one that has since taken it in
            covering = [(a, b) for a, b in listing.snapshots if a <= first and last <= b]
            for a, b in sorted(covering, key=lambda r: r[1] - r[0]):
                try:
                    snap = self.read_snapshot(a, b)
                except (SegmentIncomplete, SegmentInvalid):
                    continue
                if snap is None:
                    continue
                self.take(a, snap.ops, snap.signer)
                self.cursor["skipped_snapshots"].remove([first, last])
                self.mended(first)
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
                    segment = self.read(nxt)
                except SegmentIncomplete:
                    if self.incomplete(nxt) and _later(listing, nxt) is not None:
                        # stuck, and files after it are there: they merge, it is retried
                        cursor.setdefault("skipped", []).append(nxt)
                        cursor.update(seq=nxt, hash="")
                        continue
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
                self.take(nxt, segment.ops, segment.signer)
                last_hlc = max((op["hlc"] for op in segment.ops), default="")
                cursor.update(
                    seq=nxt, hash=segment.digest, last_hlc=max(last_hlc, cursor.get("last_hlc", ""))
                )
                continue
            if nxt in listing.blocked:
                # a link, FIFO or the like under a segment's name: never read (the folder's
                # checks report it), passed over so that the files after it still merge
                cursor.update(seq=nxt, hash="")
                continue
            if not self.forward_snapshot(listing, nxt):
                return

    def forward_snapshot(self, listing: Listing, nxt: int) -> bool:
        """Take the snapshot that covers `nxt` and reaches furthest among those that open.

        A snapshot's name claims a range; only one that opens (authenticated for that range)
        moves the cursor to its end. When none opens, the cursor moves only up to the next
        file there that opens, so names claiming numbers far ahead pass over nothing.
        Whether the cursor moved.
        """
        cursor = self.cursor
        covering = sorted(
            ((a, b) for a, b in listing.snapshots if a <= nxt <= b),
            key=lambda r: r[1],
            reverse=True,
        )
        failed: list[tuple[int, int]] = []
        for first, last in covering:
            try:
                snap = self.read_snapshot(first, last)
            except SegmentIncomplete:
                self.incomplete(nxt)
                return False
            except SegmentInvalid as exc:
                # reported and, below, passed over as far as the next file that is there;
                # it is read again each pass in case a good copy comes back
                self.damaged(first, f"snapshot {first}–{last}", exc)
                failed.append((first, last))
                continue
            if snap is None:
                continue
            self.take(first, snap.ops, snap.signer)
            last_hlc = max((op["hlc"] for op in snap.ops), default="")
            cursor.update(
                seq=last, hash=snap.last_hash, last_hlc=max(last_hlc, cursor.get("last_hlc", ""))
            )
            return True
        later = _later(listing, nxt)
        if not failed or later is None or not self.opens_at(listing, later):
            return False
        skipped = cursor.setdefault("skipped_snapshots", [])
        for first, last in failed:
            if [first, last] not in skipped:
                skipped.append([first, last])
        cursor.update(seq=min(max(b for _, b in failed), later - 1), hash="")
        return True

    def opens_at(self, listing: Listing, seq: int) -> bool:
        """Whether a file starting at `seq` opens as this device's (authenticated)."""
        try:
            if seq in listing.segments:
                return self.journal.read(self.device, seq) is not None
            for first, last in listing.snapshots:
                if first == seq and self.journal.read_snapshot(self.device, first, last):
                    return True
        except (SegmentIncomplete, SegmentInvalid):
            return False
        return False

    def incomplete(self, seq: int) -> bool:
        """Wait quietly for a file still arriving; report it once it has waited too long
        (and then say so: True)."""
        cursor = self.cursor
        if cursor.get("waiting") != seq:
            cursor.update(waiting=seq, waiting_since=self.now_ms)
        elif self.now_ms - cursor.get("waiting_since", self.now_ms) > STUCK_AFTER_MS:
            self.problems[(STUCK, self.device, seq)] = _problem(
                STUCK,
                self.device,
                seq,
                f"file {seq} has stayed incomplete for a long time; the files after it "
                "merged without it. Check the sync tool on the other machine.",
            )
            return True
        return False

    def conflicts(self, listing: Listing, seen: dict[str, str], own: bool) -> None:
        for conflict in listing.conflicts:
            key = f"{self.device}/{conflict.name}"
            if key in seen:
                if own:
                    self.journal.set_aside(conflict.name)
                continue
            try:
                found = self.journal.read_conflict(self.device, conflict)
                if found is not None:
                    self.signed(conflict.first, conflict.last, found.signer)
            except SegmentIncomplete:
                continue
            except SegmentInvalid as exc:
                self.damaged(conflict.first, f"conflict copy {conflict.name}", exc)
                seen[key] = "damaged"
                continue
            if found is None:
                continue
            self.take(conflict.first, found.ops, found.signer)
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


def _later(listing: Listing, seq: int) -> int | None:
    """The first number after `seq` that a file in the listing starts at, if any."""
    starts = [s for s in listing.segments if s > seq]
    starts += [a for a, _ in listing.snapshots if a > seq]
    starts += [b for b in listing.blocked if b > seq]
    return min(starts, default=None)


def _device_claim(op: dict[str, Any], signer: bytes | None) -> Invalid | None:
    """Why a change to a device's record can't be that device's own word, or None.

    A device's record is written only from its own directory, names its author as its owner,
    and carries only the key its files are signed with.
    """
    if op["id"] != op["device"]:
        return Invalid(m.DEVICE, "", "was written by another device than its own")
    fields = op["fields"]
    if "partner" in fields and fields["partner"] != op["author"]:
        return Invalid(m.DEVICE, "partner", "names another owner than the change's author")
    if "key" in fields and (
        signer is None or fields["key"] != base64.b64encode(signer).decode("ascii")
    ):
        return Invalid(m.DEVICE, "key", "is not the key the device signs its files with")
    return None
