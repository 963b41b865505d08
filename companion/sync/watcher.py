"""Watching the space's device directories for the partner's new files.

One watcher serves both `companion watch` (blocking) and the TUI (async): file events with a
short debounce, a periodic rescan as a backstop for events that never come, and polling where
the file system sends none (network shares, FUSE mounts such as cloud drives).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion.sync.journal import is_ignored_name

if TYPE_CHECKING:
    import asyncio

DEBOUNCE_MS = 150
RESCAN_MS = 15_000
POLL_DELAY_MS = 500
_POLLED_FS = ("nfs", "nfs4", "cifs", "smbfs", "smb3", "9p", "afs", "davfs", "sshfs", "virtiofs")


def relevant(_change: Any, path: str, own_dir: str | None = None) -> bool:
    """A file event worth a sync pass: not a sync tool's temp or stub, not ours (our own
    files, and with `own_dir` anything in this device's own directory: we wrote it)."""
    if own_dir is not None and (path == own_dir or path.startswith(own_dir + os.sep)):
        return False
    return not is_ignored_name(os.path.basename(path))


def needs_polling(path: Path) -> bool:
    """Whether `path` lies on a file system that doesn't deliver change events."""
    if os.environ.get("COMPANION_POLL") == "1":
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return False
    target = str(path.resolve())
    best, best_type = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        if (target == mount_point or target.startswith(mount_point.rstrip("/") + "/")) and len(
            mount_point
        ) > len(best):
            best, best_type = mount_point, parts[2]
    return best_type in _POLLED_FS or best_type.startswith("fuse")


def _watch_kwargs(poll: bool, rescan_ms: int, own_dir: Path | None) -> dict[str, Any]:
    mine = str(own_dir) if own_dir is not None else None
    return {
        "watch_filter": lambda change, path: relevant(change, path, mine),
        "debounce": DEBOUNCE_MS,
        "step": 30,
        "rust_timeout": rescan_ms,
        "yield_on_timeout": True,
        "force_polling": poll,
        "poll_delay_ms": POLL_DELAY_MS,
    }


def watch(
    devices_dir: Path,
    *,
    poll: bool | None = None,
    rescan_ms: int = RESCAN_MS,
    should_stop: Callable[[], bool] = lambda: False,
    own_dir: Path | None = None,
) -> Iterator[int]:
    """Yield the number of changed files each time a sync pass is due (0 for a rescan).

    While the folder is missing (unmounted, not synced yet) it waits and checks again.
    Changes in `own_dir` (this device's own directory) are left out: this device wrote them,
    and a copy of its profile writing there too is caught by the rescans' passes.
    """
    import watchfiles

    while not should_stop():
        if not devices_dir.is_dir():
            time.sleep(min(rescan_ms, 2000) / 1000)
            yield 0
            continue
        use_polling = needs_polling(devices_dir) if poll is None else poll
        try:
            kwargs = _watch_kwargs(use_polling, rescan_ms, own_dir)
            for changes in watchfiles.watch(devices_dir, **kwargs):
                yield len(changes)
                if should_stop() or not devices_dir.is_dir():
                    break
        except (FileNotFoundError, RuntimeError):
            # the folder vanished under the watcher (unmounted): wait for it to come back
            time.sleep(0.5)
            yield 0


async def awatch(
    devices_dir: Path,
    *,
    poll: bool | None = None,
    rescan_ms: int = RESCAN_MS,
    stop_event: asyncio.Event | None = None,
    own_dir: Path | None = None,
) -> AsyncIterator[int]:
    """The async form of `watch`, for the TUI's long-lived worker."""
    import asyncio

    import watchfiles

    while stop_event is None or not stop_event.is_set():
        if not devices_dir.is_dir():
            await asyncio.sleep(2)
            yield 0
            continue
        use_polling = needs_polling(devices_dir) if poll is None else poll
        try:
            async for changes in watchfiles.awatch(
                devices_dir,
                stop_event=stop_event,
                **_watch_kwargs(use_polling, rescan_ms, own_dir),
            ):
                yield len(changes)
                if not devices_dir.is_dir():
                    break
        except (FileNotFoundError, RuntimeError):
            await asyncio.sleep(0.5)
            yield 0
