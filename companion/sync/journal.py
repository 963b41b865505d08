"""The space's folder layout and each device's append-only journal of segments.

    FOLDER/companion/space.json
    FOLDER/companion/devices/<device-id>/<seq:010d>.seg

A device writes only inside its own directory and never rewrites a file once it is in place.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.store.fsutil import atomic_write, ensure_private_dir, read_bytes
from companion.store.spacefile import SPACE_FILE
from companion.sync import segments

DEVICES = "devices"
SEGMENT_SUFFIX = ".seg"
_SEGMENT_NAME = re.compile(r"^(\d{10})\.seg$")
_DEVICE_NAME = re.compile(r"^[0-9a-f]{16,64}$")


def segment_name(seq: int) -> str:
    return f"{seq:010d}{SEGMENT_SUFFIX}"


def parse_segment_name(name: str) -> int | None:
    match = _SEGMENT_NAME.match(name)
    return int(match.group(1)) if match else None


def is_device_dir_name(name: str) -> bool:
    return bool(_DEVICE_NAME.match(name))


@dataclass
class Journal:
    space_dir: Path
    key: bytes
    space_id: str
    device_id: str

    @property
    def devices_dir(self) -> Path:
        return self.space_dir / DEVICES

    @property
    def own_dir(self) -> Path:
        return self.devices_dir / self.device_id

    def available(self) -> bool:
        """Whether the shared folder is there (mounted, synced) to write into."""
        return (self.space_dir / SPACE_FILE).is_file() and self.devices_dir.is_dir()

    def device_ids(self) -> list[str]:
        try:
            entries = os.scandir(self.devices_dir)
        except (FileNotFoundError, NotADirectoryError):
            return []
        with entries:
            return sorted(e.name for e in entries if e.is_dir() and is_device_dir_name(e.name))

    def segment_seqs(self, device: str) -> list[int]:
        try:
            entries = os.scandir(self.devices_dir / device)
        except (FileNotFoundError, NotADirectoryError):
            return []
        with entries:
            seqs = (parse_segment_name(e.name) for e in entries)
            return sorted(s for s in seqs if s is not None)

    def segment_path(self, device: str, seq: int) -> Path:
        return self.devices_dir / device / segment_name(seq)

    def read(self, device: str, seq: int) -> segments.Segment | None:
        """The segment, None if the file is gone; raises SegmentIncomplete/SegmentInvalid."""
        data = read_bytes(self.segment_path(device, seq))
        if data is None:
            return None
        return segments.decode(self.key, self.space_id, device, seq, data)

    def write(self, seq: int, prev: str, ops: list[dict[str, Any]]) -> str:
        """Put a new segment into this device's directory; return its digest."""
        ensure_private_dir(self.own_dir)
        data = segments.encode(self.key, self.space_id, self.device_id, seq, prev, ops)
        path = self.segment_path(self.device_id, seq)
        if path.exists():
            raise FileExistsError(path)
        atomic_write(path, data)
        return segments.digest(data)

    def digest_of(self, device: str, seq: int) -> str | None:
        data = read_bytes(self.segment_path(device, seq))
        return None if data is None else segments.digest(data)
