"""The checks that need the data key, in order: this device's replica and outbox, the
shared folder's journal device by device, and the problems the last sync recorded."""

from __future__ import annotations

from typing import Any

from companion.store import crypto
from companion.store import profile as profiles
from companion.store.replica import Replica
from companion.store.spacefile import SpaceHeader
from companion.sync import layout
from companion.sync.journal import Journal, Listing
from companion.sync.problems import SAME_NAME
from companion.verify.folders import check_space_dir, list_devices
from companion.verify.journal import DeviceCheck, JournalContext
from companion.verify.lifetime import check_lifetime
from companion.verify.replica import check_outbox, check_replica
from companion.verify.report import (
    DAMAGED,
    FOLDER_MISSING,
    FOREIGN_OPS,
    FORGED,
    FORKED,
    FRESH_PROFILE,
    FUTURE,
    NOT_A_FOLDER,
    ROLLED_BACK,
    SHARED_ID,
    SIGNER,
    STUCK,
    UNCONFIRMED,
    Report,
)
from companion.verify.rights import check_rights

# What to do about changes a device can't have written as itself.
SAFETY = (
    "Compare the safety code with your partner in person (`companion devices`); those "
    "changes were not merged."
)


class Verifier:
    """Every check of the space and of this device's copy that opens files with the key."""

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
        self.meta = check_replica(self.profile, self.replica, self.report)
        check_outbox(self.profile, self.replica, self.report)
        self.check_layout()
        if self.journal.available():
            self.check_space()
        elif not any(p.kind in (FOLDER_MISSING, NOT_A_FOLDER) for p in self.report.problems):
            self.report.problem(
                FOLDER_MISSING,
                self.journal.devices_dir,
                "The shared folder has no devices directory, so no journal could be checked.",
                f"Mount or sync {self.profile.shared_folder}, then run `companion verify` again.",
            )
        self.check_recorded()

    def check_layout(self) -> None:
        """Links, files and the like where companion keeps a folder (its space folder is
        told of with space.json, see headers.py)."""
        if any(p.kind == NOT_A_FOLDER for p in self.report.problems):
            return
        for found in layout.folder_problems(self.journal):
            if found["kind"] == NOT_A_FOLDER:
                self.report.problem(
                    NOT_A_FOLDER,
                    self.journal.devices_dir,
                    found["message"],
                    "companion writes nothing there until it is a plain folder again.",
                    device=found["device"] or None,
                )

    def meta_value(self, name: str, default: Any) -> Any:
        """A value from this device's bookkeeping, or `default` when it is missing or malformed."""
        entry = (self.meta or {}).get(name)
        if not isinstance(entry, dict) or "v" not in entry:
            return default
        return entry["v"]

    def check_space(self) -> None:
        """The shared folder's names, then each device's directory against what was read."""
        check_space_dir(self.profile.space_dir, self.report)
        devices = list_devices(self.journal.devices_dir, self.report)
        listings = {device: self.journal.listing(device) for device in devices}
        max_seq = 1
        for listing in listings.values():
            max_seq = max(max_seq, listing.last_seq)
        context = JournalContext(
            self.journal, self.profile.device_id, devices, max_seq, self.report, []
        )
        cursors = self.meta_value("cursors", {})
        cursors = cursors if isinstance(cursors, dict) else {}
        own = self.meta_value("own", {})
        for device in sorted(set(devices) | set(cursors)):
            listing = listings.get(device, Listing())
            entry = cursors.get(device)
            cursor = entry if isinstance(entry, dict) else {}
            if (
                device == self.profile.device_id
                and isinstance(own, dict)
                and int(own.get("seq") or 0) > int(cursor.get("seq") or 0)
            ):
                cursor = own
            DeviceCheck(context, device, listing, cursor).run()
        # as sync does: a change dated outside the lifetime is refused before any right is asked
        judged = check_lifetime(context.arrivals, self.profile.partner_id, self.report)
        check_rights(judged, self.profile.partner_id, self.report)

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
            if kind in (ROLLED_BACK, UNCONFIRMED, FUTURE, SAME_NAME):
                # A journal whole again now (else it was found above), a device waiting to
                # be approved, or a name that reads as yours (it goes once either of you
                # chooses another): worth knowing only.
                self.report.note(kind, path, message, device=device, seq=seq)
                continue
            hints: dict[Any, str] = {
                FORKED: FRESH_PROFILE,
                SHARED_ID: FRESH_PROFILE,
                FOREIGN_OPS: "Someone with the passphrase wrote those files by hand or with a "
                "modified app; those changes were not merged.",
                FORGED: SAFETY,
                SIGNER: SAFETY,
            }
            hint = hints.get(kind, "")
            self.report.problem(
                kind or "recorded",
                path,
                message,
                f"{hint} Once that is dealt with, `companion sync --rebuild` forgets what "
                "earlier syncs noticed.".strip(),
                device=device,
                seq=seq,
            )
