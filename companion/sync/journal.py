"""The space's folder layout and each device's append-only journal.

    FOLDER/companion/space.json
    FOLDER/companion/devices/<device-id>/<seq:010d>.seg          one batch of changes
    FOLDER/companion/devices/<device-id>/snap-<first>-<last>.snap those segments, compacted
    FOLDER/companion/devices/<device-id>/aside/                   conflict copies already merged

A device writes only inside its own directory and never rewrites a file once it is in place;
the one deletion it makes is of its own segments once a snapshot in place covers them.
Sync tools' temp and stub files are ignored; their conflict copies are read as extra input.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion.store.bounded import read_at_most
from companion.store.fsutil import (
    NotAFolder,
    atomic_write,
    create_new,
    fsync_dir,
    is_temp_name,
    kind_of,
    make_dir_inside,
    what_is,
)
from companion.store.signing import Signer
from companion.store.spacefile import SPACE_FILE
from companion.sync import segments

DEVICES = "devices"
ASIDE = "aside"
SEGMENT_SUFFIX = ".seg"
SNAPSHOT_SUFFIX = ".snap"
# Sequence numbers have ten digits, as the names spell them: the writer never goes past this.
MAX_SEQ = 9_999_999_999
FOLDER = "a folder"
REGULAR = "a file"
_SEGMENT_NAME = re.compile(r"^(\d{10})\.seg$")
_SNAPSHOT_NAME = re.compile(r"^snap-(\d{10})-(\d{10})\.snap$")
_DEVICE_NAME = re.compile(r"^[0-9a-f]{16,64}$")
# Conflict copies keep the base name and add a marker before the extension:
# Syncthing `0000000005.sync-conflict-20261126-101500-ABCDEFG.seg`, Dropbox
# `0000000005 (Sam's conflicted copy 2026-11-26).seg`, Drive and others `0000000005 (1).seg`.
_CONFLICT_SEGMENT = re.compile(r"^(\d{10})(?:\.sync-conflict-[^/]*| \([^/]*\))\.seg$")
_CONFLICT_SNAPSHOT = re.compile(
    r"^snap-(\d{10})-(\d{10})(?:\.sync-conflict-[^/]*| \([^/]*\))\.snap$"
)
# How many files past the last one read are tried before a journal counts as gone back.
_LATER_TRIES = 8
_IGNORED_PREFIXES = ("~syncthing~", ".syncthing.", ".dropbox", "~$", ".~")
_IGNORED_SUFFIXES = (".tmp", ".icloud", ".partial", ".crdownload", ".part")


def read_file(path: Path, snapshot: bool = False) -> bytes | None:
    """A journal file's bytes, or None if it is gone; of a file longer than a segment (or
    snapshot) can be, only enough to tell so (decoding then reports it as too large)."""
    limits = segments.SNAPSHOT if snapshot else segments.SEGMENT
    try:
        return read_at_most(path, segments.HEADER_SIZE + limits.sealed + 1)
    except OSError as exc:  # a link, FIFO, device or folder in its place; or unreadable
        raise segments.SegmentInvalid(f"it could not be read: {exc.strerror or exc}") from None


def segment_name(seq: int) -> str:
    return f"{seq:010d}{SEGMENT_SUFFIX}"


def snapshot_name(first: int, last: int) -> str:
    return f"snap-{first:010d}-{last:010d}{SNAPSHOT_SUFFIX}"


def parse_segment_name(name: str) -> int | None:
    match = _SEGMENT_NAME.match(name)
    return int(match.group(1)) if match else None


def is_device_dir_name(name: str) -> bool:
    return bool(_DEVICE_NAME.match(name))


def is_ignored_name(name: str) -> bool:
    """Sync tools' temp and placeholder files, and our own temp files."""
    lowered = name.lower()
    return (
        is_temp_name(name)
        or lowered.startswith(_IGNORED_PREFIXES)
        or lowered.endswith(_IGNORED_SUFFIXES)
        or lowered in ("desktop.ini", "thumbs.db", ".ds_store")
    )


@dataclass(frozen=True)
class Conflict:
    name: str
    first: int
    last: int
    is_snapshot: bool


@dataclass
class Listing:
    """What one device directory holds, sorted out."""

    segments: dict[int, str] = field(default_factory=dict)
    snapshots: list[tuple[int, int]] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    # Entries that are not regular files (links, FIFOs, sockets, devices, folders), by name,
    # with what each is: never read, followed or moved. `aside` is not among them.
    irregular: dict[str, str] = field(default_factory=dict)
    # Segment numbers whose names such an entry holds: the reader passes over them.
    blocked: set[int] = field(default_factory=set)

    @property
    def last_seq(self) -> int:
        ends = [*self.segments, *(last for _, last in self.snapshots)]
        return max(ends, default=0)


@dataclass
class Journal:
    space_dir: Path
    key: bytes
    space_id: str
    device_id: str
    # What this device signs its files with; None writes unsigned files (as an older app did).
    signer: Signer | None = None

    @property
    def devices_dir(self) -> Path:
        return self.space_dir / DEVICES

    @property
    def own_dir(self) -> Path:
        return self.devices_dir / self.device_id

    def available(self) -> bool:
        """Whether the shared folder is there (mounted, synced): its space folder and devices
        folder real folders (never links) and space.json in place."""
        return (
            what_is(self.space_dir) == FOLDER
            and what_is(self.devices_dir) == FOLDER
            and what_is(self.space_dir / SPACE_FILE) is not None
        )

    def device_ids(self) -> list[str]:
        """The devices whose real folders (never links) are in the devices folder."""
        if what_is(self.devices_dir) != FOLDER:
            return []
        try:
            entries = os.scandir(self.devices_dir)
        except OSError:
            return []
        with entries:
            return sorted(
                e.name
                for e in entries
                if e.is_dir(follow_symlinks=False) and is_device_dir_name(e.name)
            )

    def ensure_own_dir(self) -> Path:
        """This device's folder, made if missing; NotAFolder if it, the devices folder or the
        space folder is a link, a file or the like (nothing is then written or chmodded)."""
        for path in (self.space_dir, self.devices_dir):
            if what_is(path) != FOLDER:
                raise NotAFolder(f"{path} is {what_is(path) or 'missing'}, not a folder")
        return make_dir_inside(self.own_dir)

    def listing(self, device: str) -> Listing:
        """What the device's folder holds; nothing if it is a link or not a folder at all."""
        found = Listing()
        folder = self.devices_dir / device
        if what_is(folder) != FOLDER:
            return found
        try:
            entries = os.scandir(folder)
        except OSError:
            return found
        with entries:
            for entry in entries:
                name = entry.name
                if not entry.is_file(follow_symlinks=False):
                    if name != ASIDE:  # one that isn't a folder is told of by layout.py
                        _irregular(found, entry)
                    continue
                if name == ASIDE or is_ignored_name(name):
                    continue
                if match := _SEGMENT_NAME.match(name):
                    found.segments[int(match.group(1))] = name
                elif match := _SNAPSHOT_NAME.match(name):
                    found.snapshots.append((int(match.group(1)), int(match.group(2))))
                elif match := _CONFLICT_SEGMENT.match(name):
                    seq = int(match.group(1))
                    found.conflicts.append(Conflict(name, seq, seq, False))
                elif match := _CONFLICT_SNAPSHOT.match(name):
                    first, last = int(match.group(1)), int(match.group(2))
                    found.conflicts.append(Conflict(name, first, last, True))
                else:
                    found.unknown.append(name)
        found.snapshots.sort()
        found.conflicts.sort(key=lambda c: c.name)
        return found

    def went_back_to(self, device: str, read: int, listing: Listing) -> int | None:
        """Where a device's journal stands if it went back from `read` (the last number read
        of it): that file is neither there nor in a snapshot, and nothing after it opens. A
        name planted far ahead, with junk under it, doesn't hide a restored backup."""
        if not read or not (listing.segments or listing.snapshots):
            return None
        if read in listing.segments or any(a <= read <= b for a, b in listing.snapshots):
            return None
        later = sorted(
            [(seq, seq) for seq in listing.segments if seq > read]
            + [(a, b) for a, b in listing.snapshots if b > read]
        )
        for first, last in later[:_LATER_TRIES]:
            try:
                if first == last and first in listing.segments:
                    found: object = self.read(device, first)
                else:
                    found = self.read_snapshot(device, first, last)
            except segments.SegmentIncomplete:
                return None  # not whole yet: it may well carry the journal on
            except segments.SegmentInvalid:
                continue
            if found is not None:
                return None
        ends = [*listing.segments, *(last for _, last in listing.snapshots)]
        return max((end for end in ends if end < read), default=0)

    def segment_seqs(self, device: str) -> list[int]:
        return sorted(self.listing(device).segments)

    def segment_path(self, device: str, seq: int) -> Path:
        return self.devices_dir / device / segment_name(seq)

    def read(self, device: str, seq: int) -> segments.Segment | None:
        """The segment, None if the file is gone; raises SegmentIncomplete/SegmentInvalid."""
        data = read_file(self.segment_path(device, seq))
        if data is None:
            return None
        return segments.decode(self.key, self.space_id, device, seq, data)

    def read_snapshot(self, device: str, first: int, last: int) -> segments.Snapshot | None:
        data = read_file(self.devices_dir / device / snapshot_name(first, last), snapshot=True)
        if data is None:
            return None
        return segments.decode_snapshot(self.key, self.space_id, device, first, last, data)

    def read_conflict(
        self, device: str, conflict: Conflict
    ) -> segments.Segment | segments.Snapshot | None:
        data = read_file(self.devices_dir / device / conflict.name, conflict.is_snapshot)
        if data is None:
            return None
        if conflict.is_snapshot:
            return segments.decode_snapshot(
                self.key, self.space_id, device, conflict.first, conflict.last, data
            )
        return segments.decode(self.key, self.space_id, device, conflict.first, data)

    def write(self, seq: int, prev: str, ops: list[dict[str, Any]]) -> str:
        """Put a new segment into this device's directory; return its digest."""
        if not 0 < seq <= MAX_SEQ:
            raise NotAFolder(f"segment number {seq} is past the last one a name can hold")
        self.ensure_own_dir()
        data = segments.encode(self.key, self.space_id, self.device_id, seq, prev, ops, self.signer)
        create_new(self.segment_path(self.device_id, seq), data)
        return segments.digest(data)

    def write_snapshot(
        self, first: int, last: int, prev: str, last_hash: str, ops: list[dict[str, Any]]
    ) -> None:
        data = segments.encode_snapshot(
            self.key,
            self.space_id,
            self.device_id,
            first,
            last,
            prev,
            last_hash,
            ops,
            self.signer,
        )
        self.ensure_own_dir()
        atomic_write(self.own_dir / snapshot_name(first, last), data)

    def remove_own(self, names: list[str]) -> None:
        """Delete this device's own files that a snapshot now covers."""
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                (self.own_dir / name).unlink()
        fsync_dir(self.own_dir)

    def set_aside(self, name: str) -> None:
        """Move a merged conflict copy out of the way (only ever in our own directory, only
        a regular file, only into a real `aside` folder; otherwise it stays where it is)."""
        source = self.own_dir / name
        with contextlib.suppress(OSError):  # reported by the folder's checks (layout.py)
            aside = make_dir_inside(self.ensure_own_dir() / ASIDE)
            if what_is(source) == REGULAR:
                os.replace(source, aside / name)

    def digest_of(self, device: str, seq: int) -> str | None:
        """The SHA-256 of a segment file, None if it is gone or not a file that can be read."""
        try:
            data = read_file(self.segment_path(device, seq))
        except segments.SegmentInvalid:
            return None
        return None if data is None else segments.digest(data)


def _irregular(found: Listing, entry: os.DirEntry[str]) -> None:
    """Note an entry that is not a regular file (and the segment number its name holds)."""
    try:
        what = kind_of(entry.stat(follow_symlinks=False).st_mode)
    except OSError:
        return  # gone already
    found.irregular[entry.name] = what
    if match := _SEGMENT_NAME.match(entry.name):
        found.blocked.add(int(match.group(1)))
