"""`companion verify`: open every file of the space and of this device's copy, and say what
is wrong with each one that doesn't open, and what to do about it.

It reads and never writes: a damaged file is left exactly as found, so nothing here can
make a problem worse. It checks

- `space.json` in the shared folder and this device's copy of it;
- every segment, snapshot and conflict copy in every device's directory: does it open
  (authenticated under this space's key, as that device's file with that sequence number),
  is it whole, does it chain onto the one before it (a fork), does anything go missing (a
  gap), is the journal shorter than this device has already read (a rollback);
- every change in them as sync judges it: the schema, the space's lifetime, who may make it;
- files in the shared folder that companion never writes, and leftover temp files;
- this device's replica partitions and waiting changes (the outbox);
- the profile's file modes (0600 files, 0700 directories);
- the problems the last sync recorded (forks, rollbacks, devices sharing one id).

One module per kind of check: headers (space.json), folders (names and modes), unlock (the
data key), replica (replica and outbox), journal (one device's files), chain (how they fit
together), lifetime and rights (the changes, across every device's files), space (the checks
with the key, in order); report holds what was found.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from companion.errors import UnlockError
from companion.store import profile as profiles
from companion.store.spacefile import SpaceHeader
from companion.verify.folders import check_folder_leftovers, check_modes, check_profile_dir
from companion.verify.headers import check_headers
from companion.verify.report import (
    CONFLICT_COPY,
    DAMAGED,
    FOLDER_MISSING,
    FOREIGN_OPS,
    FORKED,
    GAP,
    INCOMPLETE,
    MISPLACED,
    MODE,
    OUTBOX_DAMAGED,
    REPLICA_DAMAGED,
    ROLLED_BACK,
    SHARED_ID,
    SPACE_COPY,
    SPACE_FILE_DAMAGED,
    STUCK,
    TEMP_FILE,
    UNKNOWN_FILE,
    UNLOCK_REFUSED,
    Finding,
    Report,
)
from companion.verify.space import Verifier
from companion.verify.unlock import obtain_key

__all__ = [
    "CONFLICT_COPY",
    "DAMAGED",
    "FOLDER_MISSING",
    "FOREIGN_OPS",
    "FORKED",
    "GAP",
    "INCOMPLETE",
    "MISPLACED",
    "MODE",
    "OUTBOX_DAMAGED",
    "REPLICA_DAMAGED",
    "ROLLED_BACK",
    "SHARED_ID",
    "SPACE_COPY",
    "SPACE_FILE_DAMAGED",
    "STUCK",
    "TEMP_FILE",
    "UNKNOWN_FILE",
    "UNLOCK_REFUSED",
    "Finding",
    "Report",
    "check_folder_leftovers",
    "check_headers",
    "check_modes",
    "check_profile_dir",
    "run",
    "run_unlocked",
]


def run(home: Path, passphrase: str | Callable[[], str], *, remembered: bool = False) -> Report:
    """Verify the profile in `home` and its space. UnlockError if the passphrase doesn't fit.

    `passphrase` may be a callable, so that no one is asked for it when there is no profile
    (or when, with `remembered`, the key this device remembers opens the space).
    """
    profile = profiles.load(home)
    report = Report()
    report.checked["profile"] += 1
    check_modes(profile.home, report)
    check_profile_dir(profile, report)
    headers = check_headers(profile, report)
    if not headers:
        check_folder_leftovers(profile, report)
        return report
    try:
        opened = obtain_key(profile, headers, passphrase, report, remembered=remembered)
    except UnlockError as exc:
        # what can be said without the key still helps to see why it is refused
        check_folder_leftovers(profile, report)
        report.problem(
            UNLOCK_REFUSED,
            headers[0][0],
            f"{exc.message} Only what can be checked without it is listed.",
            exc.hint or "",
        )
        return report
    if opened is None:
        return report
    Verifier(profile, *opened, report).run()
    return report


def run_unlocked(profile: profiles.Profile, header: SpaceHeader, data_key: bytes) -> Report:
    """Verify with a key already in hand (an open session): no key derivation."""
    report = Report()
    report.checked["profile"] += 1
    check_modes(profile.home, report)
    check_profile_dir(profile, report)
    check_headers(profile, report)
    Verifier(profile, header, data_key, report).run()
    return report
