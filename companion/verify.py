"""`companion verify`: open every file of the space and of this device's copy, and say what
is wrong with each one that doesn't open, and what to do about it.

It reads and never writes: a damaged file is left exactly as found, so nothing here can
make a problem worse. It checks

- `space.json` in the shared folder and this device's copy of it;
- every segment, snapshot and conflict copy in every device's directory: does it open
  (authenticated under this space's key, as that device's file with that sequence number),
  is it whole, does it chain onto the one before it (a fork), does anything go missing (a
  gap), is the journal shorter than this device has already read (a rollback);
- files in the shared folder that companion never writes, and leftover temp files;
- this device's replica partitions and waiting changes (the outbox);
- the profile's file modes (0600 files, 0700 directories);
- the problems the last sync recorded (forks, rollbacks, devices sharing one id).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from companion.errors import DataError, UnlockError
from companion.store import crypto, spacefile
from companion.store import profile as profiles
from companion.store.fsutil import OUR_TEMP_NAME, is_temp_name, read_bytes
from companion.store.replica import CORE, DB_SUFFIX, KEYS, LOCAL, OUTBOX_SUFFIX, Replica
from companion.store.spacefile import SPACE_FILE, SpaceHeader
from companion.store.storage import StorageDamaged, decode
from companion.sync import engine, segments
from companion.sync.journal import (
    ASIDE,
    DEVICES,
    Journal,
    Listing,
    is_device_dir_name,
    is_ignored_name,
    segment_name,
    snapshot_name,
)
from companion.sync.segments import SegmentIncomplete, SegmentInvalid

# Kinds of findings. The journal ones share their names with the sync engine's problems.
SPACE_FILE_DAMAGED = "space-file"
SPACE_COPY = "space-copy"
FOLDER_MISSING = "folder-unreachable"
DAMAGED = engine.DAMAGED
MISPLACED = "misplaced"
INCOMPLETE = "incomplete"
FORKED = engine.FORKED
ROLLED_BACK = engine.ROLLED_BACK
SHARED_ID = engine.SHARED_ID
FOREIGN_OPS = engine.FOREIGN_OPS
STUCK = engine.STUCK
GAP = "gap"
UNKNOWN_FILE = "unknown-file"
CONFLICT_COPY = "conflict-copy"
TEMP_FILE = "temp-file"
REPLICA_DAMAGED = "replica"
OUTBOX_DAMAGED = "outbox"
MODE = "permissions"

_PARTITION = re.compile(r"^(core|local|m-\d{4}-\d{2})$")
# A file still being written by a running app or sync tool is this young at most.
FRESH_SECONDS = 120
# How many (device, sequence) pairs to try when telling where a misplaced file belongs.
MAX_PROBES = 20_000

_REBUILD = "Run `companion sync --rebuild` to rebuild this device's copy from the shared folder."
_FRESH_PROFILE = (
    "Give one of those devices a fresh profile: on it, move the profile folder aside and run "
    "`companion join FOLDER --name NAME`."
)


@dataclass
class Finding:
    kind: str
    path: str
    message: str
    hint: str
    device: str | None = None
    seq: int | None = None


@dataclass
class Report:
    """What `verify` found: the files it opened, the problems, and notes that need no action."""

    checked: Counter = field(default_factory=Counter)
    problems: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def files(self) -> int:
        return sum(self.checked.values())

    def problem(self, kind: str, path: Path | str, message: str, hint: str, **where) -> None:
        self.problems.append(Finding(kind, str(path), message, hint, **where))

    def note(self, kind: str, path: Path | str, message: str, hint: str = "", **where) -> None:
        self.notes.append(Finding(kind, str(path), message, hint, **where))

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": self.files,
            "checked": dict(self.checked),
            "problems": [asdict(p) for p in self.problems],
            "notes": [asdict(n) for n in self.notes],
        }

    def summary(self) -> str:
        labels = [
            ("space", "space file", "space files"),
            ("profile", "profile file", "profile files"),
            ("segment", "segment", "segments"),
            ("snapshot", "snapshot", "snapshots"),
            ("conflict", "conflict copy", "conflict copies"),
            ("replica", "local database file", "local database files"),
            ("outbox", "waiting change", "waiting changes"),
        ]
        parts = [
            f"{self.checked[key]} {one if self.checked[key] == 1 else many}"
            for key, one, many in labels
            if self.checked[key]
        ]
        return f"{self.files} files ({', '.join(parts)})" if parts else "0 files"

    def text(self) -> str:
        lines = []
        if self.ok:
            lines.append(f"Everything checks out: {self.summary()} open and fit together.")
        else:
            count = len(self.problems)
            lines.append(f"Checked {self.summary()}.")
            lines.append(f"{count} problem{'' if count == 1 else 's'}:")
            for finding in self.problems:
                lines.append(f"  ✗ {finding.path}")
                lines.append(f"    {finding.message}")
                if finding.hint:
                    lines.append(f"    What to do: {finding.hint}")
        if self.notes:
            lines.append("Notes:")
            for finding in self.notes:
                lines.append(f"  · {finding.path}: {finding.message}")
                if finding.hint:
                    lines.append(f"    {finding.hint}")
        return "\n".join(lines)


# -- entry point ------------------------------------------------------------------------------


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
    data_key = _remembered_key(profile, headers[0][1]) if remembered else None
    if data_key is not None:
        Verifier(profile, headers[0][1], data_key, report).run()
        return report
    secret = passphrase() if callable(passphrase) else passphrase
    opened = _unlock(profile, headers, secret, report)
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


def _remembered_key(profile: profiles.Profile, header: SpaceHeader) -> bytes | None:
    """The data key remembered on this device, if it still opens this space's files."""
    from companion.store import keychain

    data_key = keychain.recall(profile)
    if data_key is None:
        return None
    verifier = Verifier(profile, header, data_key, Report())
    local = profile.replica_dir / f"{LOCAL}{DB_SUFFIX}"
    with contextlib.suppress(OSError, StorageDamaged):
        decode(local.read_bytes(), verifier.replica._key, verifier.replica._aad(LOCAL), local)
        return data_key
    journal = verifier.journal
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
            data_key = header.unlock(passphrase)
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
        if damaged and path != shared_path:
            # The shared file is at fault, not this device's copy, which opens: the way out.
            report.problems = [p for p in report.problems if p.kind != SPACE_COPY]
            for finding in report.problems:
                if finding.kind == SPACE_FILE_DAMAGED and finding.path == str(shared_path):
                    finding.hint = (
                        f"This device's copy ({path}) is intact: copy it to {shared_path}."
                    )
        if refused is not None:
            shared, exc = refused
            if header.key_version > shared.key_version:
                return header, data_key  # an old space.json put back: reported already
            if header.key_version < shared.key_version:
                exc.hint = (
                    f"{exc.hint or ''}\nIt opens this device's older copy of space.json: the "
                    "passphrase was changed on another device since. Use the new one."
                ).strip()
                raise exc
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
        exc = refused[1]
        if damaged:
            exc.hint = (
                f"{exc.hint or ''}\nOnly one copy of space.json could be used; if the passphrase "
                "was changed since that copy was made, it wants the older passphrase."
            ).strip()
        raise exc
    return None


# -- space.json and this device's copy --------------------------------------------------------


def check_headers(profile: profiles.Profile, report: Report) -> list[tuple[Path, SpaceHeader]]:
    """Check both copies of the space header; return the usable ones, the shared one first."""
    shared_path = profile.space_dir / SPACE_FILE
    copy_path = profile.space_copy
    shared_bytes = read_bytes(shared_path) if profile.space_dir.is_dir() else None
    copy_bytes = read_bytes(copy_path)
    shared = copy = None
    if shared_bytes is None:
        report.problem(
            FOLDER_MISSING,
            shared_path,
            "The shared folder isn't reachable (or holds no space.json), so the space can't be "
            "checked. Nothing local is lost.",
            f"Mount or sync {profile.shared_folder}, then run `companion verify` again"
            + (
                f"; if only space.json is gone, copy {copy_path} to {shared_path}."
                if copy_bytes
                else "."
            ),
        )
    else:
        report.checked["space"] += 1
        try:
            shared = spacefile.parse(shared_bytes, shared_path)
        except DataError as exc:
            shared = None
            report.problem(SPACE_FILE_DAMAGED, shared_path, exc.message, exc.hint or "")
        except (RecursionError, ValueError) as exc:
            shared = None
            report.problem(
                SPACE_FILE_DAMAGED, shared_path, f"{shared_path} is damaged ({exc}).", ""
            )
    if copy_bytes is None:
        report.note(
            SPACE_COPY,
            copy_path,
            "This device keeps no copy of space.json yet.",
            "The next command that unlocks the space makes one.",
        )
    else:
        report.checked["space"] += 1
        try:
            copy = spacefile.parse(copy_bytes, copy_path)
        except (DataError, RecursionError, ValueError):
            report.problem(
                SPACE_COPY,
                copy_path,
                "This device's copy of space.json is damaged.",
                f"Copy {shared_path} over it"
                if shared is not None
                else "Restore space.json from your partner's copy of the shared folder.",
            )
    for name, header in (("shared folder's", shared), ("device's copy", copy)):
        if header is not None and header.space_id != profile.space_id:
            report.problem(
                SPACE_FILE_DAMAGED,
                shared_path if header is shared else copy_path,
                f"The {name} space.json belongs to another space ({header.space_id}), not to "
                f"this device's ({profile.space_id}).",
                "Point this profile at the right folder, or join that space with a new profile.",
            )
    shared_ok = shared is not None and shared.space_id == profile.space_id
    copy_ok = copy is not None and copy.space_id == profile.space_id
    if shared is None and shared_bytes is not None and report.problems:
        last = report.problems[-1] if report.problems[-1].kind == SPACE_FILE_DAMAGED else None
        if last is not None:
            if copy_ok:
                last.hint = f"This device's copy ({copy_path}) is intact: copy it to {shared_path}."
            else:
                last.hint = (
                    "Restore it from a backup, or from the copy your partner's machine keeps "
                    "(their profile folder's space.json)."
                )
    if shared_ok and copy_ok and shared != copy:
        if copy.key_version > shared.key_version:
            report.problem(
                SPACE_FILE_DAMAGED,
                shared_path,
                f"The shared space.json is older (key version {shared.key_version}) than the "
                f"copy this device already had (version {copy.key_version}): someone put an "
                "old one back, and with it an old passphrase opens the space again.",
                f"Copy {copy_path} to {shared_path}, and keep using the newer passphrase.",
            )
        elif copy.key_version == shared.key_version:
            report.problem(
                SPACE_COPY,
                copy_path,
                "This device's copy of space.json differs from the shared one, with the same key "
                "version: one of them was changed by hand.",
                f"If `companion status` unlocks, copy {shared_path} over {copy_path}.",
            )
        else:
            report.note(
                SPACE_COPY,
                copy_path,
                "This device's copy of space.json is older than the shared one (the passphrase "
                "was changed on another device).",
                "It is brought up to date the next time the space is unlocked here.",
            )
    usable = [(shared_path, shared)] if shared_ok else []
    if copy_ok and copy != shared:
        usable.append((copy_path, copy))
    return usable


# -- the profile folder -----------------------------------------------------------------------


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
                _temp(report, path)
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
    if profile.space_dir.is_dir():
        _check_space_dir(profile.space_dir, report)


def _temp(report: Report, path: Path, **where) -> None:
    fresh = _age(path) < FRESH_SECONDS
    report.problem(
        TEMP_FILE,
        path,
        "A temp file left by an interrupted save"
        + (" (or one being written right now)" if fresh else "")
        + "; the real file was not touched.",
        "If companion isn't running on this machine, delete it.",
        **where,
    )


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return float("inf")


def _check_space_dir(space_dir: Path, report: Report) -> None:
    with contextlib.suppress(OSError), os.scandir(space_dir) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            name = entry.name
            path = Path(entry.path)
            if name in (SPACE_FILE, DEVICES):
                continue
            if OUR_TEMP_NAME.match(name) and not name.startswith(".syncthing."):
                _temp(report, path)
            elif is_ignored_name(name):
                report.note(TEMP_FILE, path, "A sync tool's temporary file.")
            elif name.startswith("space") and name.endswith(".json"):
                report.problem(
                    UNKNOWN_FILE,
                    path,
                    "A second space.json, most likely the sync tool's conflict copy: the "
                    "passphrase was changed on two machines at about the same time.",
                    "Make sure `companion status` unlocks on both machines with the passphrase "
                    "you agreed on, then move this file out of the shared folder.",
                )
            else:
                report.problem(
                    UNKNOWN_FILE,
                    path,
                    "companion never writes this here.",
                    "If you put it there, move it out of the shared folder; otherwise check "
                    "which program did.",
                )


# -- the space and the replica, with the key --------------------------------------------------


class Verifier:
    def __init__(
        self, profile: profiles.Profile, header: SpaceHeader, data_key: bytes, report: Report
    ) -> None:
        self.profile = profile
        self.header = header
        self.report = report
        self.journal = Journal(
            profile.space_dir,
            crypto.subkey(data_key, "segment"),
            profile.space_id,
            profile.device_id,
        )
        self.replica = Replica(
            profile.replica_dir, profile.outbox_dir, data_key, profile.space_id, profile.device_id
        )
        self.meta: dict[str, Any] | None = None

    def run(self) -> None:
        self.check_replica()
        self.check_outbox()
        if self.journal.available():
            self.check_space()
        elif not any(p.kind == FOLDER_MISSING for p in self.report.problems):
            self.report.problem(
                FOLDER_MISSING,
                self.journal.devices_dir,
                "The shared folder has no devices directory, so no journal could be checked.",
                f"Mount or sync {self.profile.shared_folder}, then run `companion verify` again.",
            )
        self.check_recorded()

    # -- replica and outbox -------------------------------------------------------------------

    def check_replica(self) -> None:
        keys = self.replica.path(KEYS)
        if keys.is_file():
            self.open_partition(KEYS, keys)
        root = self.profile.replica_dir
        if not root.is_dir():
            self.report.note(
                REPLICA_DAMAGED,
                root,
                "This device has no local copy yet.",
                "The next `companion sync` builds it from the shared folder.",
            )
            return
        for entry in self._entries(root):
            name, path = entry.name, Path(entry.path)
            partition = name[: -len(DB_SUFFIX)] if name.endswith(DB_SUFFIX) else None
            if partition is None or not _PARTITION.match(partition) or not entry.is_file():
                self.report.problem(
                    UNKNOWN_FILE,
                    path,
                    "companion never writes this in the local copy.",
                    "If you put it there, move it out; otherwise check which program did.",
                )
                continue
            data = self.open_partition(partition, path)
            if partition == LOCAL and data is not None:
                meta = data.get("meta")
                self.meta = meta if isinstance(meta, dict) else {}
        if not (root / f"{LOCAL}{DB_SUFFIX}").exists():
            self.report.note(
                REPLICA_DAMAGED,
                root / f"{LOCAL}{DB_SUFFIX}",
                "This device's bookkeeping file is missing, so the local copy will be rebuilt.",
                "The next `companion sync` rebuilds it from the shared folder.",
            )
        elif not (root / f"{CORE}{DB_SUFFIX}").exists():
            self.report.note(
                REPLICA_DAMAGED, root / f"{CORE}{DB_SUFFIX}", "No core records saved here yet."
            )

    def open_partition(self, partition: str, path: Path) -> dict[str, Any] | None:
        self.report.checked["replica"] += 1
        hint = _REBUILD
        if partition == KEYS:
            hint = (
                "This file holds the keys of check-ins written here and not yet shared; it "
                "can't be rebuilt. Restore it from a backup of this profile if you have one; "
                "otherwise move it aside: those check-ins stay sealed until written again."
            )
        try:
            return decode(path.read_bytes(), self.replica._key, self.replica._aad(partition), path)
        except StorageDamaged as exc:
            self.report.problem(
                REPLICA_DAMAGED, path, exc.message, hint if partition == KEYS else exc.hint or hint
            )
        except OSError as exc:
            self.report.problem(REPLICA_DAMAGED, path, f"Can't be read: {exc}.", hint)
        return None

    def _entries(self, root: Path) -> Iterator[os.DirEntry[str]]:
        """A profile folder's entries by name, our own leftover temp files reported apart."""
        for entry in sorted(os.scandir(root), key=lambda e: e.name):
            if OUR_TEMP_NAME.match(entry.name):
                _temp(self.report, Path(entry.path))
            else:
                yield entry

    def meta_value(self, name: str, default: Any) -> Any:
        entry = (self.meta or {}).get(name)
        if not isinstance(entry, dict) or "v" not in entry:
            return default
        return entry["v"]

    def check_outbox(self) -> None:
        root = self.profile.outbox_dir
        if not root.is_dir():
            return
        for entry in self._entries(root):
            name, path = entry.name, Path(entry.path)
            if not name.endswith(OUTBOX_SUFFIX) or is_temp_name(name) or not entry.is_file():
                self.report.problem(
                    UNKNOWN_FILE,
                    path,
                    "companion never writes this among the waiting changes.",
                    "If you put it there, move it out; otherwise check which program did.",
                )
                continue
            self.report.checked["outbox"] += 1
            try:
                self._open_outbox(path, name)
            except StorageDamaged:
                self.report.problem(
                    OUTBOX_DAMAGED,
                    path,
                    "A change waiting to be shared is damaged or was changed outside companion "
                    "(it fails authentication); every command that opens the space stops here.",
                    f"Move {path} out of the profile and run `companion sync`; the change it "
                    "held is lost if it never reached the shared folder.",
                )

    def _open_outbox(self, path: Path, name: str) -> None:
        blob = path.read_bytes()
        try:
            plain = crypto.open_sealed(
                self.replica._outbox_key, blob, self.replica._outbox_aad(name)
            )
            ops = json.loads(zlib.decompress(plain))
        except (crypto.OpenFailed, zlib.error, ValueError, RecursionError):
            raise StorageDamaged(name) from None
        if not isinstance(ops, list) or not all(segments.valid_op(op) for op in ops):
            raise StorageDamaged(name)

    # -- the shared folder --------------------------------------------------------------------

    def check_space(self) -> None:
        _check_space_dir(self.profile.space_dir, self.report)
        devices_dir = self.journal.devices_dir
        devices = []
        with os.scandir(devices_dir) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = Path(entry.path)
                if entry.is_dir() and is_device_dir_name(entry.name):
                    devices.append(entry.name)
                elif OUR_TEMP_NAME.match(entry.name):
                    _temp(self.report, path)
                elif is_ignored_name(entry.name):
                    self.report.note(TEMP_FILE, path, "A sync tool's temporary file.")
                else:
                    self.report.problem(
                        UNKNOWN_FILE,
                        path,
                        "Not a device's directory: companion never writes this here.",
                        "If you put it there, move it out of the shared folder.",
                    )
        self.devices = devices
        self.max_seq = 1
        listings = {device: self.journal.listing(device) for device in devices}
        for listing in listings.values():
            self.max_seq = max(self.max_seq, listing.last_seq)
        cursors = self.meta_value("cursors", {})
        cursors = cursors if isinstance(cursors, dict) else {}
        own = self.meta_value("own", {})
        for device in sorted(set(devices) | set(cursors)):
            listing = listings.get(device, Listing())
            cursor = cursors.get(device) if isinstance(cursors.get(device), dict) else {}
            if (
                device == self.profile.device_id
                and isinstance(own, dict)
                and int(own.get("seq") or 0) > int(cursor.get("seq") or 0)
            ):
                cursor = own
            DeviceCheck(self, device, listing, cursor).run()

    def check_recorded(self) -> None:
        """What the last sync noticed that the files no longer show by themselves."""
        recorded = self.meta_value("problems", [])
        if not isinstance(recorded, list):
            return
        found = {(p.device, p.seq) for p in self.report.problems if p.device is not None}
        found_kind = {(p.kind, p.device) for p in self.report.problems}
        for problem in recorded:
            if not isinstance(problem, dict):
                continue
            kind, device, seq = problem.get("kind"), problem.get("device"), problem.get("seq")
            if kind in (DAMAGED, STUCK) or (device, seq) in found:
                continue  # verify opened those files itself just now
            if (kind, device) in found_kind:
                continue
            path = self.journal.devices_dir / str(device)
            message = f"The last sync noticed: {problem.get('message')}"
            if kind == ROLLED_BACK:
                # The journal is whole again now (else it was found above): worth knowing only.
                self.report.note(kind, path, message, device=device, seq=seq)
                continue
            hint = {
                FORKED: _FRESH_PROFILE,
                SHARED_ID: _FRESH_PROFILE,
                FOREIGN_OPS: "Someone with the passphrase wrote those files by hand or with a "
                "modified app; those changes were not merged.",
            }.get(kind, "")
            self.report.problem(
                kind or "recorded",
                path,
                message,
                f"{hint} Once that is dealt with, `companion sync --rebuild` forgets what "
                "earlier syncs noticed.".strip(),
                device=device,
                seq=seq,
            )


@dataclass
class _Opened:
    """A journal file that opened: the hash the next one must chain onto, and what it chains to."""

    first: int
    last: int
    prev: str
    end_hash: str
    ops: list[dict[str, Any]]


class DeviceCheck:
    """Every file in one device's directory."""

    def __init__(self, verifier: Verifier, device: str, listing: Listing, cursor: dict) -> None:
        self.v = verifier
        self.report = verifier.report
        self.journal = verifier.journal
        self.device = device
        self.dir = verifier.journal.devices_dir / device
        self.listing = listing
        self.cursor = cursor
        self.own = device == verifier.profile.device_id
        self.segments: dict[int, _Opened] = {}
        self.snapshots: dict[tuple[int, int], _Opened] = {}
        self.present: set[int] = set()
        self.misplaced: set[int] = set()  # numbers taken only by another device's files

    @property
    def who(self) -> str:
        return "this device" if self.own else f"device {self.device[:8]}"

    def run(self) -> None:
        if self.dir.is_dir():
            self.check_names()
        for seq in sorted(self.listing.segments):
            self.open_segment(seq)
        for first, last in self.listing.snapshots:
            self.open_snapshot(first, last)
        for conflict in self.listing.conflicts:
            self.open_conflict(conflict)
        self.check_chain()
        self.check_gaps()
        self.check_cursor()

    def check_names(self) -> None:
        for name in sorted(self.listing.unknown):
            path = self.dir / name
            self.report.problem(
                UNKNOWN_FILE,
                path,
                "Not a file companion writes: not a segment, snapshot or conflict copy.",
                "If you put it there, move it out of the shared folder; otherwise check which "
                "program did. companion ignores it.",
                device=self.device,
            )
        with os.scandir(self.dir) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                name = entry.name
                if name == ASIDE:
                    continue
                if OUR_TEMP_NAME.match(name) and not name.startswith(".syncthing."):
                    _temp(self.report, Path(entry.path), device=self.device)
                elif is_ignored_name(name):
                    self.report.note(
                        TEMP_FILE,
                        Path(entry.path),
                        "A sync tool's temporary file: a file is still arriving.",
                        device=self.device,
                    )

    # -- opening ------------------------------------------------------------------------------

    def _read(self, name: str) -> bytes | None:
        try:
            return (self.dir / name).read_bytes()
        except FileNotFoundError:
            return None

    def open_segment(self, seq: int) -> None:
        name = segment_name(seq)
        data = self._read(name)
        if data is None:
            return
        self.present.add(seq)
        self.v.report.checked["segment"] += 1
        try:
            segment = segments.decode(
                self.journal.key, self.journal.space_id, self.device, seq, data
            )
        except SegmentIncomplete as exc:
            self.incomplete(self.dir / name, seq, exc)
            return
        except SegmentInvalid as exc:
            self.invalid(self.dir / name, seq, exc, data, snapshot=None)
            return
        self.check_ops(self.dir / name, seq, segment.ops)
        self.segments[seq] = _Opened(seq, seq, segment.prev, segment.digest, segment.ops)

    def open_snapshot(self, first: int, last: int) -> None:
        name = snapshot_name(first, last)
        data = self._read(name)
        if data is None:
            return
        self.present.update(range(first, last + 1))
        self.v.report.checked["snapshot"] += 1
        try:
            snap = segments.decode_snapshot(
                self.journal.key, self.journal.space_id, self.device, first, last, data
            )
        except SegmentIncomplete as exc:
            self.incomplete(self.dir / name, first, exc)
            return
        except SegmentInvalid as exc:
            self.invalid(self.dir / name, first, exc, data, snapshot=(first, last))
            return
        self.check_ops(self.dir / name, first, snap.ops)
        self.snapshots[(first, last)] = _Opened(first, last, snap.prev, snap.last_hash, snap.ops)

    def open_conflict(self, conflict) -> None:
        path = self.dir / conflict.name
        self.v.report.checked["conflict"] += 1
        try:
            found = self.journal.read_conflict(self.device, conflict)
        except SegmentIncomplete as exc:
            self.incomplete(path, conflict.first, exc)
            return
        except SegmentInvalid as exc:
            self.report.problem(
                DAMAGED,
                path,
                f"A sync tool's conflict copy that is damaged or tampered with ({exc}).",
                "Nothing in it can be used; move it out of the shared folder.",
                device=self.device,
                seq=conflict.first,
            )
            return
        if found is None:
            return
        where = "`companion sync` on this device" if self.own else f"{self.who} when it syncs"
        original = (
            snapshot_name(conflict.first, conflict.last)
            if conflict.is_snapshot
            else segment_name(conflict.first)
        )
        if self._read(original) == self._read(conflict.name):
            message = (
                f"A second copy of {original} that the sync tool made (the same bytes), not yet "
                "set aside."
            )
            hint = f"{where[0].upper()}{where[1:]} moves it to aside/; no need to act."
        else:
            message = (
                f"A conflict copy of {original} made by the sync tool, not yet merged and set "
                "aside: two devices may be writing as one (a cloned laptop or a restored backup)."
            )
            hint = f"{where[0].upper()}{where[1:]} merges it and moves it to aside/. "
            hint += _FRESH_PROFILE
        self.report.problem(
            CONFLICT_COPY, path, message, hint, device=self.device, seq=conflict.first
        )

    def incomplete(self, path: Path, seq: int, exc: Exception) -> None:
        fresh = _age(path) < FRESH_SECONDS
        self.report.problem(
            INCOMPLETE,
            path,
            f"Incomplete ({exc}): "
            + ("the sync tool may still be bringing it over." if fresh else "it was cut short."),
            "If the sync tool is still busy, wait and run `companion verify` again. If it stays "
            "incomplete, restore it from the copy on the machine that wrote it"
            + (" (this one)." if self.own else "."),
            device=self.device,
            seq=seq,
        )

    def invalid(
        self,
        path: Path,
        seq: int,
        exc: SegmentInvalid,
        data: bytes,
        snapshot: tuple[int, int] | None,
    ) -> None:
        home = self.whose(data, snapshot)
        if home is not None:
            device, where = home
            first, last = snapshot or (seq, seq)
            self.misplaced.update(range(first, last + 1))
            self.report.problem(
                MISPLACED,
                path,
                f"It doesn't open here ({exc}): it is really {where} of device "
                f"{device[:8]}, moved or renamed into this place.",
                "Move it out of the shared folder (its rightful copy is elsewhere); companion "
                "never renames or moves its files.",
                device=self.device,
                seq=seq,
            )
            return
        self.report.problem(
            DAMAGED,
            path,
            f"Damaged or tampered with ({exc}): changed after it was written, or copied in "
            "from another space. Its changes were skipped; everything else still merges.",
            (
                "This device wrote it: restore it from a backup of the shared folder, or from "
                "your partner's copy of the folder if theirs is still good."
                if self.own
                else f"Your sync tool may still bring a good copy; otherwise ask whoever uses "
                f"device {self.device[:8]} to run `companion verify` there, and restore the "
                "file from that machine's copy."
            ),
            device=self.device,
            seq=seq,
        )

    def whose(self, data: bytes, snapshot: tuple[int, int] | None) -> tuple[str, str] | None:
        """Where a file that fails here really belongs, if it belongs to this space at all."""
        key, space = self.journal.key, self.journal.space_id
        probes = 0
        devices = [self.device, *(d for d in self.v.devices if d != self.device)]
        if self.v.profile.device_id not in devices:
            devices.append(self.v.profile.device_id)
        for device in devices:
            if snapshot is not None:
                try:
                    segments.decode_snapshot(key, space, device, *snapshot, data)
                except (SegmentInvalid, SegmentIncomplete):
                    continue
                return device, f"snapshot {snapshot[0]}–{snapshot[1]}"
            for seq in range(1, self.v.max_seq + 2):
                probes += 1
                if probes > MAX_PROBES:
                    return None
                try:
                    segments.decode(key, space, device, seq, data)
                except (SegmentInvalid, SegmentIncomplete):
                    continue
                return device, f"segment {seq}"
        return None

    def check_ops(self, path: Path, seq: int, ops: list[dict[str, Any]]) -> None:
        suffix = "." + self.device
        if any(op["device"] != self.device or not op["hlc"].endswith(suffix) for op in ops):
            self.report.problem(
                FOREIGN_OPS,
                path,
                "It holds changes signed as another device; sync does not merge those.",
                "Someone with the passphrase wrote this file by hand or with a modified app. "
                "Move it out of the shared folder.",
                device=self.device,
                seq=seq,
            )

    # -- how the files fit together -----------------------------------------------------------

    def end_hashes(self, seq: int) -> set[str]:
        """Every hash this device's journal claims for the file that ends at `seq`."""
        found = set()
        if seq in self.segments:
            found.add(self.segments[seq].end_hash)
        for (_, last), snap in self.snapshots.items():
            if last == seq:
                found.add(snap.end_hash)
        return found

    def check_chain(self) -> None:
        forks: set[int] = set()
        items = [*self.segments.values(), *self.snapshots.values()]
        for item in items:
            expected = {""} if item.first == 1 else self.end_hashes(item.first - 1)
            if expected and item.prev not in expected:
                forks.add(item.first)
            if len(expected) > 1:
                forks.add(item.first - 1)
        for seq in sorted(forks):
            self.report.problem(
                FORKED,
                self.dir,
                f"{self.who.capitalize()}'s journal forks at {seq}: its files don't chain onto "
                "each other, so two devices wrote under one id (a cloned laptop or a restored "
                "backup), or a file was replaced.",
                "Everything from both histories is merged and kept. " + _FRESH_PROFILE,
                device=self.device,
                seq=seq,
            )

    def check_gaps(self) -> None:
        # A file put here from elsewhere (reported already) says nothing about how far this
        # journal goes.
        top = max(self.present - self.misplaced, default=0)
        missing = [seq for seq in range(1, top + 1) if seq not in self.present]
        for first, last in _runs(missing):
            what = f"segment {first}" if first == last else f"segments {first}–{last}"
            self.report.problem(
                GAP,
                self.dir,
                f"{what.capitalize()} of {self.who} {'is' if first == last else 'are'} missing "
                f"(it goes up to {top}): deleted, or not synced yet.",
                "Check that the sync tool has finished on both machines, and restore the "
                "missing files from a backup if they were deleted. Changes after the gap still "
                "merge; those in the missing files reach no device that hadn't read them yet.",
                device=self.device,
                seq=first,
            )

    def check_cursor(self) -> None:
        cursor = self.cursor or {}
        try:
            seen = int(cursor.get("seq") or 0)
        except (TypeError, ValueError):
            return
        seen_hash = cursor.get("hash") or ""
        top = self.listing.last_seq
        if seen > top:
            where = f"now ends at {top}" if top else "is gone from the shared folder"
            self.report.problem(
                ROLLED_BACK,
                self.dir,
                f"{self.who.capitalize()}'s journal went back: this device has already read up "
                f"to {seen}, but it {where} (a restored backup of the folder or of that "
                "machine?).",
                "Nothing this device has already seen is lost. If a backup was restored, let "
                "the device that wrote those files sync again so they come back; if the folder "
                "is still syncing, wait.",
                device=self.device,
                seq=top,
            )
            return
        if seen and seen_hash:
            hashes = self.end_hashes(seen)
            if hashes and seen_hash not in hashes:
                self.report.problem(
                    FORKED,
                    self.dir,
                    f"{self.who.capitalize()}'s file {seen} is not the one this device read "
                    "before: the journal was replaced by another history (a restored backup, or "
                    "two devices writing under one id).",
                    "Everything from both histories is merged and kept. " + _FRESH_PROFILE,
                    device=self.device,
                    seq=seen,
                )


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs
