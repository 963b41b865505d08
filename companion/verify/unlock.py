"""How verify gets the data key: the key this device remembers, if it still opens this
space's files, or else the passphrase, tried on the shared space.json and on this device's
copy of it. The key itself comes the one way every command gets it (service/opening.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from companion.errors import DataError, UnlockError
from companion.service.header import conflict_copies, is_conflict_copy
from companion.service.opening import Passphrase, Remembered, data_key_for
from companion.store import crypto
from companion.store import profile as profiles
from companion.store.replica import DB_SUFFIX, LOCAL, Replica
from companion.store.spacefile import SPACE_FILE, SpaceHeader
from companion.store.storage import StorageDamaged, decode
from companion.sync.journal import Journal
from companion.sync.segments import SegmentIncomplete, SegmentInvalid
from companion.verify.report import SPACE_COPY, SPACE_FILE_DAMAGED, Report


def obtain_key(
    profile: profiles.Profile,
    headers: list[tuple[Path, SpaceHeader]],
    passphrase: str | Callable[[], str],
    report: Report,
    *,
    remembered: bool = False,
) -> tuple[SpaceHeader, bytes] | None:
    """The header that opens the space and its data key; None if no header can be used.

    `headers` are the usable copies of space.json, the shared one first (`check_headers`).
    With `remembered`, the key this device remembers is tried first, and `passphrase` (which
    may be a callable) is asked for only if that key doesn't open the space. UnlockError if
    the passphrase doesn't fit; damaged headers are reported.
    """
    if remembered:
        data_key = _remembered_key(profile, headers[0][1])
        if data_key is not None:
            return headers[0][1], data_key
    secret = passphrase() if callable(passphrase) else passphrase
    return _unlock(profile, headers, secret, report)


def _remembered_key(profile: profiles.Profile, header: SpaceHeader) -> bytes | None:
    """The data key remembered on this device, if it still opens this space's files."""
    data_key = data_key_for(profile, header, Remembered())
    if data_key is None:
        return None
    replica = Replica(
        profile.replica_dir, profile.outbox_dir, data_key, profile.space_id, profile.device_id
    )
    local = profile.replica_dir / f"{LOCAL}{DB_SUFFIX}"
    with contextlib.suppress(OSError, StorageDamaged):
        decode(local.read_bytes(), replica._key, replica._aad(LOCAL), local)
        return data_key
    journal = Journal(
        profile.space_dir, crypto.subkey(data_key, "segment"), profile.space_id, profile.device_id
    )
    for device in journal.device_ids():
        for seq in sorted(journal.listing(device).segments)[:1]:
            with contextlib.suppress(OSError, SegmentInvalid, SegmentIncomplete):
                journal.read(device, seq)
                return data_key
    return None  # not this space's key (any more): ask for the passphrase


def _unlock(
    profile: profiles.Profile,
    headers: list[tuple[Path, SpaceHeader]],
    passphrase: str,
    report: Report,
) -> tuple[SpaceHeader, bytes] | None:
    """The header that yields the data key, and the key: the shared one first, else the copy."""
    shared_path = profile.space_dir / SPACE_FILE
    refused: tuple[SpaceHeader, UnlockError] | None = None
    damaged = False
    for path, header in headers:
        try:
            data_key = data_key_for(profile, header, Passphrase(passphrase))
        except UnlockError as exc:
            refused = refused or (header, exc)
            continue
        except DataError as exc:
            damaged = True
            report.problem(SPACE_FILE_DAMAGED, path, exc.message, exc.hint or "")
            continue
        except (ValueError, TypeError, OverflowError, MemoryError) as exc:
            damaged = True
            report.problem(
                SPACE_FILE_DAMAGED,
                path,
                f"Its key-derivation parameters can't be used ({exc}): the file was changed.",
                "Restore it from a backup or from your partner's copy of the folder.",
            )
            continue
        if is_conflict_copy(path.name) or any(header == h for _, h in conflict_copies(profile)):
            return header, data_key  # two changes at once: check_space_dir says what to do
        if damaged and path != shared_path:
            # The shared file is at fault, not this device's copy, which opens: the way out.
            report.problems = [p for p in report.problems if p.kind != SPACE_COPY]
            for finding in report.problems:
                if finding.kind == SPACE_FILE_DAMAGED and finding.path == str(shared_path):
                    finding.hint = (
                        f"This device's copy ({path}) is intact: copy it to {shared_path}."
                    )
        if refused is not None:
            shared, refusal = refused
            if header.key_version > shared.key_version:
                return header, data_key  # an old space.json put back: reported already
            if header.key_version < shared.key_version:
                refusal.hint = (
                    f"{refusal.hint or ''}\nIt opens this device's older copy of space.json: the "
                    "passphrase was changed on another device since. Use the new one."
                ).strip()
                raise refusal
            # It is the shared file that was changed, not this device's copy.
            report.problems = [p for p in report.problems if p.kind != SPACE_COPY]
            report.problem(
                SPACE_FILE_DAMAGED,
                shared_path,
                "The shared space.json refuses the passphrase that opens this device's copy of "
                "it, with the same key version: its lock was changed, and its checksum made to "
                "match, so not by accident.",
                f"Copy {profile.space_copy} to {shared_path}, and find out who changed it.",
            )
        return header, data_key
    if refused is not None:
        refusal = refused[1]
        if damaged:
            refusal.hint = (
                f"{refusal.hint or ''}\nOnly one copy of space.json could be used; if the "
                "passphrase was changed since that copy was made, it wants the older passphrase."
            ).strip()
        raise refusal
    return None
