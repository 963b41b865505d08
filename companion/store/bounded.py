"""Unpacking sealed files within limits: how far one may inflate, and how much JSON it may hold.

A file that authenticates is not therefore harmless: both partners hold the key, and a file can
be planted in a profile. A few MB of zlib inflate to gigabytes, and JSON made of tiny
containers parses to twenty times its size in objects. So inflation stops at a limit, and the
JSON's values are counted (cheaply, by its separators) before it is parsed. CPython's own
recursion guard already turns deep nesting into RecursionError, which callers treat as damage.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.store.fsutil import kind_of

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Limits:
    """What one kind of file may unpack to: bytes of JSON, JSON values, operations."""

    what: str  # how a message names the file: "a segment"
    inflated: int
    values: int
    ops: int = 0

    @property
    def sealed(self) -> int:
        """The most its compressed, sealed body can honestly be (zlib adds < 0.1% at worst)."""
        return self.inflated + self.inflated // 64 + 4 * KIB


class OverLimit(ValueError):
    """Over one of its kind's limits; the message says which, for a person to read."""


def size_text(count: int) -> str:
    return f"{count // MIB} MiB" if count >= MIB else f"{count // KIB} KiB"


def inflate(data: bytes | memoryview, limits: Limits, padded: bool = False) -> bytes:
    """zlib-decompress `data`, stopping as soon as it passes `limits.inflated` bytes.

    Raises OverLimit past the limit and zlib.error for a stream that is broken or cut short,
    or (when `padded`) followed by anything but zero bytes of padding.
    """
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, limits.inflated + 1)
    if len(out) > limits.inflated:
        raise OverLimit(
            f"too large: it unpacks to more than {size_text(limits.inflated)}, "
            f"the most {limits.what} may hold"
        )
    if not inflater.eof:  # under the limit, so all input was taken: the stream stops short
        raise zlib.error("incomplete or truncated stream")
    rest = inflater.unused_data
    if padded and rest.count(0) != len(rest):
        raise zlib.error("something other than padding after the stream")
    return out


def most_values(raw: bytes) -> int:
    """An upper bound on the number of values (keys included) in the JSON text `raw`.

    Every value but the outermost is an item of a container (each item after a container's
    first follows a comma) or a key (followed by a colon), so commas + colons + opening
    brackets + 1 bounds the number of values; separators inside strings only over-count.
    """
    return raw.count(b",") + raw.count(b":") + raw.count(b"[") + raw.count(b"{") + 1


def census(raw: bytes, limits: Limits) -> None:
    """Raise OverLimit unless the JSON text `raw` may hold more than `limits.values` values."""
    if most_values(raw) > limits.values:
        raise OverLimit(
            f"too large: it holds more than {limits.values:,} values, "
            f"the most {limits.what} may hold"
        )


def parse(raw: bytes, limits: Limits) -> Any:
    """The JSON in `raw`, once a count of its values shows it fits `limits.values`."""
    census(raw, limits)
    return json.loads(raw)


def unpack(plain: bytes, limits: Limits, padded: bool = False) -> Any:
    """Inflate and parse; raises OverLimit, zlib.error, ValueError or RecursionError."""
    return parse(inflate(plain, limits, padded), limits)


def check_ops(ops: list[Any], limits: Limits) -> None:
    if len(ops) > limits.ops:
        raise OverLimit(
            f"too large: it holds {len(ops):,} changes, the most {limits.what} may hold "
            f"is {limits.ops:,}"
        )


class NotRegular(OSError):
    """A name in the shared folder that is not a regular file: a link, FIFO, socket, device
    or folder. It is never read, followed or moved; `what` names it for a message."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(errno.EINVAL, f"{path.name} is {what}, not a file")
        self.what = what


# Never blocks on a FIFO or a device, never follows a link at the last step, never leaks
# into a helper process.
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def read_at_most(path: Path, limit: int) -> bytes | None:
    """The regular file's first `limit` bytes (all of it if shorter), or None if it is not there.

    Anything but a regular file (a link, FIFO, socket, device or folder) raises NotRegular
    without a byte read. A file longer than any honest one is never read whole: its first
    bytes are enough to tell that it is too long.
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):  # the last step is a link
            raise NotRegular(path, "a symbolic link") from None
        if exc.errno in (errno.ENXIO, errno.EOPNOTSUPP, errno.ENODEV):  # socket, device
            raise NotRegular(path, what_mode(path)) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(path, kind_of(st.st_mode))
        chunks: list[bytes] = []
        left = limit
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def what_mode(path: Path) -> str:
    try:
        return kind_of(os.lstat(path).st_mode)
    except OSError:
        return "something other than a file"
