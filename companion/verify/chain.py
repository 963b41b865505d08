"""How one device's journal files fit together once opened: does each chain onto the one
before it (a fork if not), does any go missing (a gap), is the journal shorter than this
device has already read (a rollback)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion.verify.report import FORKED, FRESH_PROFILE, GAP, ROLLED_BACK, Report


@dataclass
class Opened:
    """A journal file that opened: the hash the next one must chain onto, and what it chains to."""

    first: int
    last: int
    prev: str
    end_hash: str
    ops: list[dict[str, Any]]


@dataclass
class DeviceFiles:
    """One device's directory as verify found it: the files that opened, the numbers present."""

    device: str
    dir: Path
    who: str  # how messages name the device: "this device" or "device 1a2b3c4d"
    segments: dict[int, Opened] = field(default_factory=dict)
    snapshots: dict[tuple[int, int], Opened] = field(default_factory=dict)
    # The numbers files cover, as (first, last) runs: never expanded, since a name may claim
    # any range.
    present: list[tuple[int, int]] = field(default_factory=list)
    # Runs whose files opened here: how far the journal goes is told by these alone.
    opened: list[tuple[int, int]] = field(default_factory=list)

    def end_hashes(self, seq: int) -> set[str]:
        """Every hash this device's journal claims for the file that ends at `seq`."""
        found = set()
        if seq in self.segments:
            found.add(self.segments[seq].end_hash)
        for (_, last), snap in self.snapshots.items():
            if last == seq:
                found.add(snap.end_hash)
        return found


def check_chain(files: DeviceFiles, report: Report) -> None:
    """Each file chains onto the one before it; where two histories part, a fork."""
    forks: set[int] = set()
    items = [*files.segments.values(), *files.snapshots.values()]
    for item in items:
        expected = {""} if item.first == 1 else files.end_hashes(item.first - 1)
        if expected and item.prev not in expected:
            forks.add(item.first)
        if len(expected) > 1:
            forks.add(item.first - 1)
    for seq in sorted(forks):
        report.problem(
            FORKED,
            files.dir,
            f"{files.who.capitalize()}'s journal forks at {seq}: its files don't chain onto "
            "each other, so two devices wrote under one id (a cloned laptop or a restored "
            "backup), or a file was replaced.",
            "Everything from both histories is merged and kept. " + FRESH_PROFILE,
            device=files.device,
            seq=seq,
        )


def check_gaps(files: DeviceFiles, report: Report) -> None:
    """Every sequence number up to the last one of a file that opens is there."""
    # A file that doesn't open (reported already, damaged or put here from elsewhere) says
    # nothing about how far this journal goes.
    top = max((last for _, last in files.opened), default=0)
    for first, last in _missing(files.present, top):
        what = f"segment {first}" if first == last else f"segments {first}–{last}"
        report.problem(
            GAP,
            files.dir,
            f"{what.capitalize()} of {files.who} {'is' if first == last else 'are'} missing "
            f"(it goes up to {top}): deleted, or not synced yet.",
            "Check that the sync tool has finished on both machines, and restore the "
            "missing files from a backup if they were deleted. Changes after the gap still "
            "merge; those in the missing files reach no device that hadn't read them yet.",
            device=files.device,
            seq=first,
        )


def check_cursor(files: DeviceFiles, cursor: dict, last_seq: int, report: Report) -> None:
    """The journal still reaches, with the same file, as far as this device has read it."""
    cursor = cursor or {}
    try:
        seen = int(cursor.get("seq") or 0)
    except (TypeError, ValueError):
        return
    seen_hash = cursor.get("hash") or ""
    top = last_seq
    if seen > top:
        where = f"now ends at {top}" if top else "is gone from the shared folder"
        report.problem(
            ROLLED_BACK,
            files.dir,
            f"{files.who.capitalize()}'s journal went back: this device has already read up "
            f"to {seen}, but it {where} (a restored backup of the folder or of that "
            "machine?).",
            "Nothing this device has already seen is lost. If a backup was restored, let "
            "the device that wrote those files sync again so they come back; if the folder "
            "is still syncing, wait.",
            device=files.device,
            seq=top,
        )
        return
    if seen and seen_hash:
        hashes = files.end_hashes(seen)
        if hashes and seen_hash not in hashes:
            report.problem(
                FORKED,
                files.dir,
                f"{files.who.capitalize()}'s file {seen} is not the one this device read "
                "before: the journal was replaced by another history (a restored backup, or "
                "two devices writing under one id).",
                "Everything from both histories is merged and kept. " + FRESH_PROFILE,
                device=files.device,
                seq=seen,
            )


def _missing(present: list[tuple[int, int]], top: int) -> list[tuple[int, int]]:
    """The runs of numbers from 1 to `top` that no run in `present` covers (in time and
    memory that grow with the number of runs, never with the numbers themselves)."""
    gaps: list[tuple[int, int]] = []
    reached = 0  # every number up to here is covered
    for first, last in sorted(present):
        if first > top:
            break
        if first > reached + 1:
            gaps.append((reached + 1, first - 1))
        reached = max(reached, last)
    if reached < top:
        gaps.append((reached + 1, top))
    return gaps
