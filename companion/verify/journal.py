"""Every file in one device's directory of the shared folder: does it open (authenticated
under this space's key, as that device's file with that sequence number), is it whole, and,
if not, where does it really belong."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from companion.store.fsutil import OUR_TEMP_NAME, what_is
from companion.sync import segments
from companion.sync.admission import admit
from companion.sync.journal import (
    ASIDE,
    FOLDER,
    Conflict,
    Journal,
    Listing,
    is_ignored_name,
    read_file,
    segment_name,
    snapshot_name,
)
from companion.sync.ownership import Arrival
from companion.sync.segments import SegmentIncomplete, SegmentInvalid, SegmentTooLarge
from companion.verify.chain import DeviceFiles, Opened, check_chain, check_cursor, check_gaps
from companion.verify.folders import is_fresh, temp_file
from companion.verify.report import (
    CONFLICT_COPY,
    DAMAGED,
    FOREIGN_OPS,
    FRESH_PROFILE,
    INCOMPLETE,
    INVALID,
    MISPLACED,
    TEMP_FILE,
    UNKNOWN_ENTRY,
    UNKNOWN_FILE,
    Report,
)

# How many (device, sequence) pairs to try when telling where a misplaced file belongs.
MAX_PROBES = 20_000


class JournalContext(NamedTuple):
    """What checking one device's directory needs from the rest of verify."""

    journal: Journal  # the shared folder's journal, under this space's segment key
    device_id: str  # this device's id
    devices: list[str]  # every device directory in the shared folder
    max_seq: int  # the highest sequence number in any of them: bounds the search in whose()
    report: Report
    # Every change the schema lets through, with its file: judged for who may make it once
    # every device's files are read (verify/rights.py).
    arrivals: list[tuple[Path, Arrival]]


class DeviceCheck:
    """Every file in one device's directory."""

    def __init__(
        self, context: JournalContext, device: str, listing: Listing, cursor: dict[str, Any]
    ) -> None:
        self.context = context
        self.report = context.report
        self.journal = context.journal
        self.device = device
        self.dir = context.journal.devices_dir / device
        self.listing = listing
        self.cursor = cursor
        self.own = device == context.device_id
        self.who = "this device" if self.own else f"device {device[:8]}"
        self.files = DeviceFiles(device, self.dir, self.who)
        self.unreadable: set[str] = set()

    def run(self) -> None:
        if what_is(self.dir) == FOLDER:
            self.check_names()
        for seq in sorted(self.listing.segments):
            self.open_segment(seq)
        for first, last in self.listing.snapshots:
            self.open_snapshot(first, last)
        for conflict in self.listing.conflicts:
            self.open_conflict(conflict)
        check_chain(self.files, self.report)
        check_gaps(self.files, self.report)
        check_cursor(self.files, self.cursor, self.reaches(), self.report)

    def reaches(self) -> int:
        """How far the journal goes as its files tell: those that opened, and the name of the
        file last read while it is still there (damage to it is reported as such). A junk
        name far ahead doesn't count."""
        top = max((last for _, last in self.files.opened), default=0)
        seen = self.cursor.get("seq") if isinstance(self.cursor, dict) else None
        if isinstance(seen, int) and any(a <= seen <= b for a, b in self.files.present):
            top = max(top, seen)
        return top

    def check_names(self) -> None:
        for name in sorted(self.listing.unknown):
            path = self.dir / name
            self.report.problem(
                UNKNOWN_FILE,
                path,
                "Not a file companion writes: not a segment, snapshot or conflict copy.",
                "If you put it there, move it out of the shared folder; otherwise check which "
                "program did. companion ignores it.",
                device=self.device,
            )
        for name, what in sorted(self.listing.irregular.items()):
            self.report.problem(
                UNKNOWN_ENTRY,
                self.dir / name,
                f"It is {what}, not a file, where companion keeps only plain files: it was "
                "never read, followed or moved.",
                "Whoever put it there can take it out of the shared folder; everything else "
                "still syncs.",
                device=self.device,
            )
        with os.scandir(self.dir) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                name = entry.name
                if name == ASIDE or name in self.listing.irregular:
                    continue
                if OUR_TEMP_NAME.match(name) and not name.startswith(".syncthing."):
                    temp_file(self.report, Path(entry.path), device=self.device)
                elif is_ignored_name(name):
                    self.report.note(
                        TEMP_FILE,
                        Path(entry.path),
                        "A sync tool's temporary file: a file is still arriving.",
                        device=self.device,
                    )

    # -- opening ------------------------------------------------------------------------------

    def _read(self, name: str) -> bytes | None:
        """A file's bytes; None if it is gone or can't be read (then reported, once)."""
        try:
            return read_file(self.dir / name)
        except SegmentInvalid as exc:
            if name not in self.unreadable:
                self.unreadable.add(name)
                self.report.problem(
                    UNKNOWN_FILE,
                    self.dir / name,
                    f"It was not read: {exc}.",
                    "Check the file's permissions, or move it out of the shared folder.",
                    device=self.device,
                )
            return None

    def open_segment(self, seq: int) -> None:
        name = segment_name(seq)
        data = self._read(name)
        if data is None:
            return
        self.files.present.append((seq, seq))
        self.report.checked["segment"] += 1
        try:
            segment = segments.decode(
                self.journal.key, self.journal.space_id, self.device, seq, data
            )
        except SegmentIncomplete as exc:
            self.incomplete(self.dir / name, seq, exc)
            return
        except SegmentInvalid as exc:
            self.invalid(self.dir / name, seq, exc, data, snapshot=None)
            return
        self.check_ops(self.dir / name, seq, segment.ops)
        self.files.opened.append((seq, seq))
        self.files.segments[seq] = Opened(seq, seq, segment.prev, segment.digest, segment.ops)

    def open_snapshot(self, first: int, last: int) -> None:
        name = snapshot_name(first, last)
        data = self._read(name)
        if data is None:
            return
        self.report.checked["snapshot"] += 1
        try:
            snap = segments.decode_snapshot(
                self.journal.key, self.journal.space_id, self.device, first, last, data
            )
        except SegmentIncomplete as exc:
            self.files.present.append((first, last))
            self.incomplete(self.dir / name, first, exc)
            return
        except SegmentInvalid as exc:
            # its range counts as there (no gap told), but not for how far the journal goes
            self.files.present.append((first, last))
            self.invalid(self.dir / name, first, exc, data, snapshot=(first, last))
            return
        self.files.present.append((first, last))
        self.files.opened.append((first, last))
        self.check_ops(self.dir / name, first, snap.ops)
        opened = Opened(first, last, snap.prev, snap.last_hash, snap.ops)
        self.files.snapshots[(first, last)] = opened

    def open_conflict(self, conflict: Conflict) -> None:
        path = self.dir / conflict.name
        self.report.checked["conflict"] += 1
        try:
            found = self.journal.read_conflict(self.device, conflict)
        except SegmentIncomplete as exc:
            self.incomplete(path, conflict.first, exc)
            return
        except SegmentInvalid as exc:
            self.report.problem(
                DAMAGED,
                path,
                f"A sync tool's conflict copy that is damaged or tampered with ({exc}).",
                "Nothing in it can be used; move it out of the shared folder.",
                device=self.device,
                seq=conflict.first,
            )
            return
        if found is None:
            return
        where = "`companion sync` on this device" if self.own else f"{self.who} when it syncs"
        original = (
            snapshot_name(conflict.first, conflict.last)
            if conflict.is_snapshot
            else segment_name(conflict.first)
        )
        if self._read(original) == self._read(conflict.name):
            message = (
                f"A second copy of {original} that the sync tool made (the same bytes), not yet "
                "set aside."
            )
            hint = f"{where[0].upper()}{where[1:]} moves it to aside/; no need to act."
        else:
            message = (
                f"A conflict copy of {original} made by the sync tool, not yet merged and set "
                "aside: two devices may be writing as one (a cloned laptop or a restored backup)."
            )
            hint = f"{where[0].upper()}{where[1:]} merges it and moves it to aside/. "
            hint += FRESH_PROFILE
        self.report.problem(
            CONFLICT_COPY, path, message, hint, device=self.device, seq=conflict.first
        )

    def incomplete(self, path: Path, seq: int, exc: Exception) -> None:
        fresh = is_fresh(path)
        self.report.problem(
            INCOMPLETE,
            path,
            f"Incomplete ({exc}): "
            + ("the sync tool may still be bringing it over." if fresh else "it was cut short."),
            "If the sync tool is still busy, wait and run `companion verify` again. If it stays "
            "incomplete, restore it from the copy on the machine that wrote it"
            + (" (this one)." if self.own else "."),
            device=self.device,
            seq=seq,
        )

    def invalid(
        self,
        path: Path,
        seq: int,
        exc: SegmentInvalid,
        data: bytes,
        snapshot: tuple[int, int] | None,
    ) -> None:
        # a file over a limit did authenticate here: it belongs here, it is just too large
        home = None if isinstance(exc, SegmentTooLarge) else self.whose(data, snapshot)
        if home is not None:
            device, where = home
            self.report.problem(
                MISPLACED,
                path,
                f"It doesn't open here ({exc}): it is really {where} of device "
                f"{device[:8]}, moved or renamed into this place.",
                "Move it out of the shared folder (its rightful copy is elsewhere); companion "
                "never renames or moves its files.",
                device=self.device,
                seq=seq,
            )
            return
        how = (
            "it opens with the space's key but is larger than companion ever writes, so a "
            "modified app wrote it"
            if isinstance(exc, SegmentTooLarge)
            else "changed after it was written, or copied in from another space"
        )
        self.report.problem(
            DAMAGED,
            path,
            f"Damaged or tampered with ({exc}): {how}. Its changes were skipped; everything "
            "else still merges.",
            (
                "This device wrote it: restore it from a backup of the shared folder, or from "
                "your partner's copy of the folder if theirs is still good."
                if self.own
                else f"Your sync tool may still bring a good copy; otherwise ask whoever uses "
                f"device {self.device[:8]} to run `companion verify` there, and restore the "
                "file from that machine's copy."
            ),
            device=self.device,
            seq=seq,
        )

    def whose(self, data: bytes, snapshot: tuple[int, int] | None) -> tuple[str, str] | None:
        """Where a file that fails here really belongs, if it belongs to this space at all."""
        key, space = self.journal.key, self.journal.space_id
        probes = 0
        devices = [self.device, *(d for d in self.context.devices if d != self.device)]
        if self.context.device_id not in devices:
            devices.append(self.context.device_id)
        for device in devices:
            if snapshot is not None:
                try:
                    segments.decode_snapshot(key, space, device, *snapshot, data)
                except (SegmentInvalid, SegmentIncomplete):
                    continue
                return device, f"snapshot {snapshot[0]}–{snapshot[1]}"
            for seq in range(1, self.context.max_seq + 2):
                probes += 1
                if probes > MAX_PROBES:
                    return None
                try:
                    segments.decode(key, space, device, seq, data)
                except (SegmentInvalid, SegmentIncomplete):
                    continue
                return device, f"segment {seq}"
        return None

    def check_ops(self, path: Path, seq: int, ops: list[dict[str, Any]]) -> None:
        suffix = "." + self.device
        if any(op["device"] != self.device or not op["hlc"].endswith(suffix) for op in ops):
            self.report.problem(
                FOREIGN_OPS,
                path,
                "It holds changes signed as another device; sync does not merge those.",
                "Someone with the passphrase wrote this file by hand or with a modified app. "
                "Move it out of the shared folder.",
                device=self.device,
                seq=seq,
            )
        admitted = [admit(op) for op in ops]
        refused = [a.refused for a in admitted if a.refused is not None]
        self.context.arrivals.extend(
            (path, Arrival(self.device, seq, a.op)) for a in admitted if a.op is not None
        )
        if refused:
            more = f" (and {len(refused) - 1} more like it)" if len(refused) > 1 else ""
            self.report.problem(
                INVALID,
                path,
                f"It holds {refused[0].describe()}{more}; sync keeps such changes aside and "
                "never shows them. Everything else in it merges.",
                "This version of companion and the one that wrote it disagree on what a record "
                "may hold: update companion on both devices.",
                device=self.device,
                seq=seq,
            )
