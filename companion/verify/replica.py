"""This device's copy with the key: every replica partition opens, and every change waiting to
be shared (the outbox) opens and holds valid operations."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from companion.store import profile as profiles
from companion.store.fsutil import OUR_TEMP_NAME, is_temp_name
from companion.store.replica import CORE, DB_SUFFIX, KEYS, LOCAL, OUTBOX_SUFFIX, Replica
from companion.store.storage import StorageDamaged, StorageTooLarge, decode, read_sealed
from companion.sync import segments
from companion.verify.folders import temp_file
from companion.verify.report import OUTBOX_DAMAGED, REPLICA_DAMAGED, UNKNOWN_FILE, Report

# (quarantine: the changes sync keeps aside, sync/quarantine.py)
_PARTITION = re.compile(r"^(core|local|quarantine|m-\d{4}-\d{2})$")

_REBUILD = "Run `companion sync --rebuild` to rebuild this device's copy from the shared folder."


def check_replica(
    profile: profiles.Profile, replica: Replica, report: Report
) -> dict[str, Any] | None:
    """Open every partition; return this device's bookkeeping (`meta`) if its file opened."""
    meta: dict[str, Any] | None = None
    keys = replica.path(KEYS)
    if keys.is_file():
        open_partition(replica, KEYS, keys, report)
    root = profile.replica_dir
    if not root.is_dir():
        report.note(
            REPLICA_DAMAGED,
            root,
            "This device has no local copy yet.",
            "The next `companion sync` builds it from the shared folder.",
        )
        return meta
    for entry in _entries(root, report):
        name, path = entry.name, Path(entry.path)
        partition = name[: -len(DB_SUFFIX)] if name.endswith(DB_SUFFIX) else None
        if partition is None or not _PARTITION.match(partition) or not entry.is_file():
            report.problem(
                UNKNOWN_FILE,
                path,
                "companion never writes this in the local copy.",
                "If you put it there, move it out; otherwise check which program did.",
            )
            continue
        data = open_partition(replica, partition, path, report)
        if partition == LOCAL and data is not None:
            found = data.get("meta")
            meta = found if isinstance(found, dict) else {}
    if not (root / f"{LOCAL}{DB_SUFFIX}").exists():
        report.note(
            REPLICA_DAMAGED,
            root / f"{LOCAL}{DB_SUFFIX}",
            "This device's bookkeeping file is missing, so the local copy will be rebuilt.",
            "The next `companion sync` rebuilds it from the shared folder.",
        )
    elif not (root / f"{CORE}{DB_SUFFIX}").exists():
        report.note(REPLICA_DAMAGED, root / f"{CORE}{DB_SUFFIX}", "No core records saved here yet.")
    return meta


def open_partition(
    replica: Replica, partition: str, path: Path, report: Report
) -> dict[str, Any] | None:
    """One partition's contents, or None when it doesn't open (reported)."""
    report.checked["replica"] += 1
    hint = _REBUILD
    if partition == KEYS:
        hint = (
            "This file holds the keys of check-ins written here and not yet shared; it "
            "can't be rebuilt. Restore it from a backup of this profile if you have one; "
            "otherwise move it aside: those check-ins stay sealed until written again."
        )
    try:
        blob = read_sealed(path)
        if blob is None:
            raise FileNotFoundError(f"{path.name} is gone")
        return decode(blob, replica._key, replica._aad(partition), path)
    except StorageDamaged as exc:
        report.problem(
            REPLICA_DAMAGED, path, exc.message, hint if partition == KEYS else exc.hint or hint
        )
    except OSError as exc:
        report.problem(REPLICA_DAMAGED, path, f"Can't be read: {exc}.", hint)
    return None


def check_outbox(profile: profiles.Profile, replica: Replica, report: Report) -> None:
    """Every change waiting to be shared opens under this device's outbox key."""
    root = profile.outbox_dir
    if not root.is_dir():
        return
    for entry in _entries(root, report):
        name, path = entry.name, Path(entry.path)
        if not name.endswith(OUTBOX_SUFFIX) or is_temp_name(name) or not entry.is_file():
            report.problem(
                UNKNOWN_FILE,
                path,
                "companion never writes this among the waiting changes.",
                "If you put it there, move it out; otherwise check which program did.",
            )
            continue
        report.checked["outbox"] += 1
        try:
            _open_outbox(replica, path)
        except StorageDamaged as exc:
            why = (
                exc.message
                if isinstance(exc, StorageTooLarge)
                else "A change waiting to be shared is damaged or was changed outside companion "
                "(it fails authentication)."
            )
            report.problem(
                OUTBOX_DAMAGED,
                path,
                f"{why} Every command that opens the space stops here.",
                f"Move {path} out of the profile and run `companion sync`; the change it "
                "held is lost if it never reached the shared folder.",
            )


def _open_outbox(replica: Replica, path: Path) -> None:
    ops = replica.read_outbox_entry(path)
    if not isinstance(ops, list) or not all(segments.valid_op(op) for op in ops):
        raise StorageDamaged(path.name)


def _entries(root: Path, report: Report) -> Iterator[os.DirEntry[str]]:
    """A profile folder's entries by name, our own leftover temp files reported apart."""
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if OUR_TEMP_NAME.match(entry.name):
            temp_file(report, Path(entry.path))
        else:
            yield entry
