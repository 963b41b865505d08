"""The space's header (space.json): which copy to trust, and what a passphrase must be."""

from __future__ import annotations

import re
from pathlib import Path

from companion.errors import DataError, UsageError
from companion.store import profile as profiles
from companion.store import spacefile
from companion.store.fsutil import what_is
from companion.store.spacefile import SPACE_FILE, SpaceHeader

MIN_PASSPHRASE = 8

# What sync tools name the loser of two changes to space.json: Syncthing's
# `space.sync-conflict-20261126-101500-ABCDEFG.json`, Dropbox's `space (Sam's conflicted copy
# 2026-11-26).json`, Drive's and others' `space (1).json`.
_CONFLICT = re.compile(r"^space(?:\.sync-conflict-[^/]*| \([^/]*\))\.json$")


# A sync tool leaves one copy per concurrent change; more than this were planted, not made.
MAX_CONFLICT_COPIES = 16


def conflict_copies(profile: profiles.Profile) -> list[tuple[Path, SpaceHeader]]:
    """The conflict copies of space.json a sync tool left beside it, newest lock first: each
    from a passphrase change made at about the same time as the one the folder kept."""
    found: list[tuple[Path, SpaceHeader]] = []
    try:
        names = sorted(p.name for p in profile.space_dir.iterdir() if _CONFLICT.match(p.name))
    except OSError:
        return found
    for name in names[:MAX_CONFLICT_COPIES]:
        try:
            header = spacefile.load(profile.space_dir / name)
        except DataError:
            continue  # a damaged copy opens nothing; verify names it
        if header.space_id == profile.space_id:
            found.append((profile.space_dir / name, header))
    return sorted(found, key=lambda item: -item[1].key_version)


def is_conflict_copy(name: str) -> bool:
    return bool(_CONFLICT.match(name))


def readable(header: bytes) -> bool:
    """Whether a kept copy of space.json can be read at all."""
    try:
        spacefile.parse(header, Path(SPACE_FILE))
    except DataError:
        return False
    return bool(header)


def check_passphrase(passphrase: str) -> str:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise UsageError(
            f"A passphrase needs at least {MIN_PASSPHRASE} characters.",
            "A few unrelated words make a good one that is easy to remember.",
        )
    return passphrase


def load_header(profile: profiles.Profile) -> SpaceHeader:
    """The shared space.json; the profile's copy only when the folder is unreachable."""
    shared = profile.space_dir / SPACE_FILE
    # A link, a file or the like where the space folder or space.json belongs is never
    # followed or read: this device's copy serves, and status tells what to move away.
    planted = what_is(profile.space_dir) not in (None, "a folder") or what_is(shared) not in (
        None,
        "a file",
    )
    if planted and profile.space_copy.exists():
        header = spacefile.load(profile.space_copy)
    elif what_is(shared) is not None or what_is(profile.space_dir) is not None:
        try:
            header = spacefile.load(shared)
        except DataError as exc:
            if profile.space_copy.exists():
                exc.hint = (
                    f"{exc.hint or ''}\nThis device keeps a copy at {profile.space_copy}: "
                    f"copy it to {shared} to repair the space."
                ).strip()
            raise
    elif profile.space_copy.exists():
        header = spacefile.load(profile.space_copy)
    else:
        raise DataError(
            f"The shared folder {profile.shared_folder} isn't there, and this device has no "
            "copy of the space's lock.",
            "Mount or sync the shared folder, then try again.",
        )
    if header.space_id != profile.space_id:
        raise DataError(
            f"The space in {profile.shared_folder} is not the one this device belongs to.",
            "Point this profile at the right folder, or join that space with a new profile.",
        )
    if profile.space_copy.exists():
        try:
            copy = spacefile.load(profile.space_copy)
        except DataError:
            copy = None  # a damaged copy is replaced by the good shared one on open
        # newer here than in the folder: a rollback, unless the folder kept our change as a
        # conflict copy (two passphrase changes at once, the sync tool chose the other)
        if (
            copy is not None
            and copy.key_version > header.key_version
            and not any(other == copy for _, other in conflict_copies(profile))
        ):
            raise DataError(
                f"The space file in {profile.shared_folder} is older than the one this device "
                f"last used (lock version {header.key_version}, not {copy.key_version}): an "
                "old copy may have been put back, and with it an old passphrase.",
                f"If nobody restored a backup on purpose, copy {profile.space_copy} over "
                f"{shared} to put the newer one back.",
            )
    return header
