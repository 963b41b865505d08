"""What stands in the shared folder where companion keeps its folders and files, when it is not
what belongs there: anyone who can write into the folder can plant a link, a FIFO or a file.

Found afresh on every look (a few lstat calls and one listing per device), never stored: once
the entry is moved away, the problem is gone. See SECURITY.md, "The shared folder".
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from companion.store.fsutil import what_is
from companion.store.spacefile import SPACE_FILE
from companion.sync.journal import ASIDE, FOLDER, REGULAR, Journal, Listing, is_device_dir_name
from companion.sync.problems import NOT_A_FOLDER, UNKNOWN_ENTRY, Problem

# How many names one problem lists before "and N more".
_NAMES_SHOWN = 3


def _folder_problem(path: Path, what: str, device: str = "") -> dict[str, Any]:
    waits = (
        "conflict copies stay where they are until then"
        if path.name == ASIDE
        else "this device's changes wait here safely"
    )
    message = (
        f"{path} should be a folder of companion's, but it is {what}. Nothing is written "
        f"there, through it or into whatever it points at; {waits}. Move it out of the "
        "shared folder, and the next sync makes the folder again."
    )
    return Problem(NOT_A_FOLDER, device, 0, message).to_dict()


def _entries_problem(where: Path, found: dict[str, str], device: str = "") -> dict[str, Any]:
    names = sorted(found)
    shown = ", ".join(f"{name} ({found[name]})" for name in names[:_NAMES_SHOWN])
    if len(names) > _NAMES_SHOWN:
        shown += f" and {len(names) - _NAMES_SHOWN} more"
    one = len(names) == 1
    message = (
        f"{where} holds {shown}, where companion keeps only plain files: "
        f"{'it is' if one else 'they are'} never read, followed or moved. Whoever put "
        f"{'it' if one else 'them'} there can take {'it' if one else 'them'} out; "
        "everything else still syncs."
    )
    return Problem(UNKNOWN_ENTRY, device, 0, message).to_dict()


def folder_problems(
    journal: Journal, listings: dict[str, Listing] | None = None
) -> list[dict[str, Any]]:
    """Links, files and the like where companion keeps a folder, and entries in the devices'
    folders that are not regular files (from `listings` where given, else listed here)."""
    space_kind = what_is(journal.space_dir)
    if space_kind is None:
        return []  # the shared folder is away: nothing planted to tell of
    if space_kind != FOLDER:
        return [_folder_problem(journal.space_dir, space_kind)]
    found: list[dict[str, Any]] = []
    header = what_is(journal.space_dir / SPACE_FILE)
    if header not in (None, REGULAR):
        found.append(_entries_problem(journal.space_dir, {SPACE_FILE: header}))
    devices_kind = what_is(journal.devices_dir)
    if devices_kind is None:
        return found
    if devices_kind != FOLDER:
        return [*found, _folder_problem(journal.devices_dir, devices_kind)]
    found += _device_entries(journal)
    own = journal.device_id
    for path in (journal.own_dir, journal.own_dir / ASIDE):
        kind = what_is(path)
        if kind is None:
            break
        if kind != FOLDER:
            found.append(_folder_problem(path, kind, own))
            break
    listings = listings if listings is not None else {}
    for device in journal.device_ids():
        listing = listings.get(device) or journal.listing(device)
        if listing.irregular:
            found.append(_entries_problem(journal.devices_dir / device, listing.irregular, device))
    return found


def _device_entries(journal: Journal) -> list[dict[str, Any]]:
    """Links and the like named as device folders (this device's own is told of apart)."""
    odd: dict[str, str] = {}
    with contextlib.suppress(OSError), os.scandir(journal.devices_dir) as entries:
        for entry in entries:
            if entry.name == journal.device_id or not is_device_dir_name(entry.name):
                continue
            if not entry.is_dir(follow_symlinks=False):
                odd[entry.name] = what_is(Path(entry.path)) or "gone"
    return [_entries_problem(journal.devices_dir, odd)] if odd else []
