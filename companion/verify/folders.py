"""The names and modes of files, without opening them: the profile folder (0600 files, 0700
directories, leftovers) and the shared folder (files companion never writes, temp files)."""

from __future__ import annotations

import contextlib
import os
import stat
import time
from pathlib import Path

from companion.service.header import is_conflict_copy
from companion.store import profile as profiles
from companion.store import signing
from companion.store.fsutil import OUR_TEMP_NAME, what_is
from companion.store.replica import DB_SUFFIX, KEYS
from companion.store.spacefile import SPACE_FILE
from companion.sync.journal import DEVICES, is_device_dir_name, is_ignored_name
from companion.verify.report import (
    CONFLICT_COPY,
    MODE,
    REPLICA_DAMAGED,
    TEMP_FILE,
    UNKNOWN_ENTRY,
    UNKNOWN_FILE,
    Report,
)

# A file still being written by a running app or sync tool is this young at most.
FRESH_SECONDS = 120


def check_modes(home: Path, report: Report) -> None:
    """Files 0600 and directories 0700, everywhere in the profile."""
    paths = [home]
    for root, dirs, files in os.walk(home):
        paths += [Path(root) / name for name in dirs + files]
    for path in paths:
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            report.problem(
                MODE,
                path,
                "A symbolic link inside the profile; companion never makes one.",
                "Replace it with the real file or folder, or remove it.",
            )
        elif stat.S_ISDIR(st.st_mode) and mode != 0o700:
            report.problem(
                MODE,
                path,
                f"This folder is mode {mode:04o}; other accounts on this machine may look in.",
                f"Run `chmod 700 '{path}'`.",
            )
        elif stat.S_ISREG(st.st_mode) and mode != 0o600:
            report.problem(
                MODE,
                path,
                f"This file is mode {mode:04o}; it should be readable by you alone.",
                f"Run `chmod 600 '{path}'`.",
            )


def check_profile_dir(profile: profiles.Profile, report: Report) -> None:
    """Leftover temp files and set-aside copies at the top of the profile."""
    from companion.store import keychain

    known = {
        profiles.PROFILE_FILE,
        profiles.SPACE_COPY,
        profiles.LOCK_FILE,
        keychain.KEYCHAIN_MARK,
        f"{KEYS}{DB_SUFFIX}",  # sealed check-ins' keys, checked with the replica
        "replica",
        "outbox",
        signing.KEY_FILE,  # this device's signing key, sealed
    }
    if (profile.home / keychain.KEY_FILE).exists():
        report.note(
            MODE,
            profile.home / keychain.KEY_FILE,
            "This device remembers the space's key in a file (`companion remember "
            "--key-file`): anyone with a copy of this disk can open the space.",
            "`companion remember --forget` removes it.",
        )
    known.add(keychain.KEY_FILE)
    with contextlib.suppress(OSError), os.scandir(profile.home) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            name = entry.name
            if name in known:
                continue
            path = Path(entry.path)
            if OUR_TEMP_NAME.match(name):
                temp_file(report, path)
            elif name.startswith("replica.set-aside-"):
                report.note(
                    REPLICA_DAMAGED,
                    path,
                    "An old local copy, set aside by `companion sync --rebuild`.",
                    "Once everything looks right, you may delete it.",
                )
            else:
                report.note(UNKNOWN_FILE, path, "companion did not put this in the profile.")


def check_folder_leftovers(profile: profiles.Profile, report: Report) -> None:
    """Without the key only the names in the shared folder can be looked at."""
    if what_is(profile.space_dir) == "a folder":
        check_space_dir(profile.space_dir, report)


def check_space_dir(space_dir: Path, report: Report) -> None:
    """The top of the shared folder holds space.json and the devices directory, nothing else."""
    with contextlib.suppress(OSError), os.scandir(space_dir) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            name = entry.name
            path = Path(entry.path)
            if name in (SPACE_FILE, DEVICES):
                expected = "a file" if name == SPACE_FILE else "a folder"
                what = what_is(path)
                if what not in (None, expected):
                    report.problem(
                        UNKNOWN_ENTRY,
                        path,
                        f"It is {what}, where companion keeps {expected}: it is never read, "
                        "followed or written through.",
                        "Move it out of the shared folder; "
                        + (
                            "copy this device's copy of space.json (in the profile folder) "
                            "in its place."
                            if name == SPACE_FILE
                            else "the next sync makes the folder again."
                        ),
                    )
                continue
            if OUR_TEMP_NAME.match(name) and not name.startswith(".syncthing."):
                temp_file(report, path)
            elif is_ignored_name(name):
                report.note(TEMP_FILE, path, "A sync tool's temporary file.")
            elif is_conflict_copy(name):
                report.problem(
                    CONFLICT_COPY,
                    path,
                    "A conflict copy of space.json: the passphrase was changed on two devices "
                    "at about the same time, and the sync tool kept both. Nobody is locked "
                    "out: each passphrase still opens the device it was set on.",
                    "Agree on one passphrase together, then run `companion passwd` on either "
                    "device: that sets it for both of you and removes this copy.",
                )
            elif name.startswith("space") and name.endswith(".json"):
                report.problem(
                    UNKNOWN_FILE,
                    path,
                    "A second space.json that companion didn't write and no sync tool names "
                    "this way.",
                    "If you put it there, move it out of the shared folder.",
                )
            else:
                report.problem(
                    UNKNOWN_FILE,
                    path,
                    "companion never writes this here.",
                    "If you put it there, move it out of the shared folder; otherwise check "
                    "which program did.",
                )


def list_devices(devices_dir: Path, report: Report) -> list[str]:
    """The device directories in the shared folder, by name; anything else there is reported."""
    devices = []
    with os.scandir(devices_dir) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False) and is_device_dir_name(entry.name):
                devices.append(entry.name)
            elif is_device_dir_name(entry.name):
                report.problem(
                    UNKNOWN_ENTRY,
                    path,
                    f"Named like a device's folder, but it is {what_is(path)}: it is never read, "
                    "followed or written through.",
                    "Move it out of the shared folder; a device's own folder comes back on its "
                    "next sync.",
                )
            elif OUR_TEMP_NAME.match(entry.name):
                temp_file(report, path)
            elif is_ignored_name(entry.name):
                report.note(TEMP_FILE, path, "A sync tool's temporary file.")
            else:
                report.problem(
                    UNKNOWN_FILE,
                    path,
                    "Not a device's directory: companion never writes this here.",
                    "If you put it there, move it out of the shared folder.",
                )
    return devices


def temp_file(report: Report, path: Path, **where) -> None:
    """Report one of companion's own temp files, left behind or still being written."""
    report.problem(
        TEMP_FILE,
        path,
        "A temp file left by an interrupted save"
        + (" (or one being written right now)" if is_fresh(path) else "")
        + "; the real file was not touched.",
        "If companion isn't running on this machine, delete it.",
        **where,
    )


def is_fresh(path: Path) -> bool:
    """Whether a file is young enough that a running app or sync tool may still be writing it."""
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return False
    return age < FRESH_SECONDS
