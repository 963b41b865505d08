"""One writer at a time per profile: the app, `watch` and a shell command may all be running."""

from __future__ import annotations

import os
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on POSIX: threads in this process are still kept in line
    fcntl = None  # type: ignore[assignment]


class ProfileLock:
    """A re-entrant lock held across threads of this process and other processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._threads = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self) -> ProfileLock:
        self._threads.acquire()
        if self._depth == 0 and fcntl is not None:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                fd = None  # a read-only profile: nothing will be written anyway
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._fd = fd
        self._depth += 1
        return self

    def __exit__(self, *_exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._threads.release()
