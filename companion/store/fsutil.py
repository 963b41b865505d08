"""Durable file writes: hidden temp file, fsync, atomic rename, fsync of the directory."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from pathlib import Path

from companion.errors import DataError, StorageFullError

TEMP_SUFFIX = ".tmp"
_FULL = {errno.ENOSPC, errno.EDQUOT}


_TEMP_TOKEN_BYTES = 4
# Exactly the names temp_name makes (a sync tool's temp files may also start with a dot).
OUR_TEMP_NAME = re.compile(
    rf"^\.(?P<final>.+)\.[0-9a-f]{{{2 * _TEMP_TOKEN_BYTES}}}{re.escape(TEMP_SUFFIX)}$"
)


def temp_name(final: Path) -> Path:
    """Our temp files start with a dot and end in .tmp, so watchers and readers skip them."""
    return final.with_name(f".{final.name}.{secrets.token_hex(_TEMP_TOKEN_BYTES)}{TEMP_SUFFIX}")


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def ensure_private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != 0o700:
        path.chmod(0o700)
    return path


def kind_of(mode: int) -> str:
    """How a message names what an entry is, from its lstat mode."""
    for test, what in (
        (stat.S_ISREG, "a file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ):
        if test(mode):
            return what
    return "something other than a file"


def what_is(path: Path) -> str | None:
    """What is at `path` without following a link (`kind_of`), or None if nothing is."""
    try:
        return kind_of(os.lstat(path).st_mode)
    except FileNotFoundError:
        return None
    except NotADirectoryError:  # a file where one of its parent folders belongs
        return None


class NotAFolder(OSError):
    """Where companion keeps a folder in the shared folder there is a link, a file or the like:
    it never writes there (the message says what is there instead)."""


def make_dir_inside(path: Path) -> Path:
    """`path` as a private (0700) real folder: made if missing, checked (never through a link)
    if present. Its parent must have been checked the same way. NotAFolder if something else
    is in its place; nothing is chmodded but a folder this call has checked is real."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        raise NotAFolder(
            errno.ENOTDIR, f"{path} is {what_is(path) or 'missing'}, not a folder"
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISDIR(st.st_mode):
            raise NotAFolder(errno.ENOTDIR, f"{path} is {kind_of(st.st_mode)}, not a folder")
        if stat.S_IMODE(st.st_mode) != 0o700:
            os.fchmod(fd, 0o700)
    finally:
        os.close(fd)
    return path


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (network mounts) refuse fsync on directories
    finally:
        os.close(fd)


def write_error(path: Path, exc: OSError) -> DataError:
    if exc.errno in _FULL:
        return StorageFullError(
            f"The disk is full, so {path.name} could not be saved. Nothing was lost: "
            "the previous state is intact.",
            "Free some space and try again.",
        )
    return DataError(
        f"Could not write {path}: {exc.strerror or exc}.",
        "Check that the folder exists and that you may write to it.",
    )


def _write_temp(tmp: Path, data: bytes, mode: int, durable: bool) -> None:
    """A new temp file holding all of `data` (fsync'd if `durable`)."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(
    path: Path, data: bytes, *, mode: int = 0o600, durable: bool = True, sync_dir: bool = True
) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new file.

    `durable` fsyncs the data; `sync_dir` also makes the rename itself survive a power cut.
    """
    tmp = temp_name(path)
    try:
        _write_temp(tmp, data, mode, durable)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise write_error(path, exc) from exc
    if durable and sync_dir:
        fsync_dir(path.parent)


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None if it is not there."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def create_new(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Like atomic_write, but never replaces a file that is already there (FileExistsError).

    The file appears whole, by a hard link from the fsync'd temp file; where the file system
    has no hard links (some FUSE and FAT mounts) an existence check stands in.
    """
    tmp = temp_name(path)
    try:
        _write_temp(tmp, data, mode, durable=True)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:
            if os.path.lexists(path):
                raise FileExistsError(path) from None
            os.replace(tmp, path)
    except FileExistsError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise write_error(path, exc) from exc
    with contextlib.suppress(OSError):
        tmp.unlink()
    fsync_dir(path.parent)
