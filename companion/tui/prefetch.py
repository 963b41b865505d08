"""Open the space and read Tonight in a forked helper while the interface loads.

`companion` with nothing to ask (a passphrase in the environment, or a key remembered on this
device) starts one helper process before Textual is even imported. On the machine's other
core it derives the key, opens the space and reads what Tonight shows, while the app imports
Textual. The helper hands back the data key and Tonight's data through a pipe (memory only:
nothing is written anywhere) and exits. The app builds Tonight once, with that data, and
paints it; then it opens its own session with the key, which costs no key derivation.

Plain Python, no Textual: it runs before Textual is imported, and in the helper. Where there
is no fork (Windows), or when the helper fails for any reason, the app opens the space the
ordinary way, in a worker thread, and reports what is wrong from there.
"""

from __future__ import annotations

import os
import pickle
import select
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from companion.tui.read.tonight import Since, Tonight


class Opened:
    """What the helper read: enough to paint Tonight and to open the session again.

    A plain class: this module loads first thing, and defining a dataclass costs start-up.
    """

    def __init__(self, data_key: bytes, theme: str | None, since: Since, tonight: Tonight):
        self.data_key = data_key
        self.theme = theme
        self.since = since
        self.tonight = tonight


class Prefetch:
    """A helper process opening the space in `home`; `take()` waits for what it read."""

    def __init__(self, home: Path, passphrase: str | None) -> None:
        self.home = home
        self._pid = 0
        self._read_fd = -1
        if not hasattr(os, "fork") or threading.active_count() != 1:
            return  # forking a process with threads is not safe: the app opens it itself
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper: open, read, hand over, leave without any cleanup
            code = 1
            try:
                os.close(read_fd)
                body = pickle.dumps(_open_and_read(home, passphrase), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as out:
                    out.write(body)
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        self._pid, self._read_fd = pid, read_fd

    @property
    def started(self) -> bool:
        return self._pid != 0

    def take(self, timeout: float | None = None) -> Opened | None:
        """What the helper read, or None if it couldn't. Blocking: call it from a thread, or
        before the event loop starts. With a `timeout`, None also when it isn't done by then;
        it can be taken later (`started` stays true)."""
        if not self._pid:
            return None
        if timeout is not None:
            ready, _, _ = select.select([self._read_fd], [], [], timeout)
            if not ready:
                return None
        try:
            with os.fdopen(self._read_fd, "rb") as pipe:
                body = pipe.read()
        finally:
            os.waitpid(self._pid, 0)
            self._pid = 0
        if not body:
            return None
        try:
            opened = pickle.loads(body)
        except Exception:
            return None
        return opened if isinstance(opened, Opened) else None


def _open_and_read(home: Path, passphrase: str | None) -> Opened | None:
    """In the helper. None whenever the ordinary way should be taken (and say why)."""
    from companion.service import Passphrase, Remembered, open_space
    from companion.tui.read import tonight

    try:
        source = Passphrase(passphrase) if passphrase else Remembered()
        with open_space(home, source) as session:
            since = tonight.seen_since(session)
            return Opened(
                data_key=session.data_key,
                theme=tonight.theme_preference(session),
                since=since,
                tonight=tonight.tonight(session, since),
            )
    except Exception:  # the app's own attempt reports it, with the right message
        return None


def start(home: Path, passphrase: str | None, remembered: bool) -> Prefetch | None:
    """A helper for `companion` with nothing to ask; None when the app must ask first."""
    if not passphrase and not remembered:
        return None
    helper = Prefetch(home, passphrase)
    return helper if helper.started else None
