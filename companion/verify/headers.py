"""The space header, `space.json`: the shared folder's and this device's copy of it, parsed
and compared, without the passphrase."""

from __future__ import annotations

from pathlib import Path

from companion.errors import DataError
from companion.service.header import conflict_copies
from companion.store import profile as profiles
from companion.store import spacefile
from companion.store.fsutil import read_bytes, what_is
from companion.store.spacefile import SPACE_FILE, SpaceHeader
from companion.verify.report import (
    FOLDER_MISSING,
    NOT_A_FOLDER,
    SPACE_COPY,
    SPACE_FILE_DAMAGED,
    Report,
)


def check_headers(profile: profiles.Profile, report: Report) -> list[tuple[Path, SpaceHeader]]:
    """Check both copies of the space header; return the usable ones, the shared one first."""
    shared_path = profile.space_dir / SPACE_FILE
    copy_path = profile.space_copy
    copy_bytes = read_bytes(copy_path)
    shared = copy = None
    space_kind = what_is(profile.space_dir)
    unread = False  # there, but never read: reported here
    shared_bytes: bytes | None = None
    if space_kind not in (None, "a folder"):
        unread = True
        report.problem(
            NOT_A_FOLDER,
            profile.space_dir,
            f"{profile.space_dir} is {space_kind}, where companion keeps the space's folder: "
            "nothing is read from it or written through it.",
            "Move it out of the shared folder. If the space's folder is elsewhere, put it back "
            f"here; otherwise copy {copy_path} to {shared_path} once the folder is there.",
        )
    elif space_kind is not None:
        try:
            shared_bytes = spacefile.read(shared_path)
        except DataError as exc:  # a FIFO, link or the like, or unreadable: never read
            unread = True
            report.problem(SPACE_FILE_DAMAGED, shared_path, exc.message, exc.hint or "")
    if unread:
        pass
    elif shared_bytes is None:
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
    usable_shared = shared if shared is not None and shared.space_id == profile.space_id else None
    usable_copy = copy if copy is not None and copy.space_id == profile.space_id else None
    if shared is None and shared_bytes is not None and report.problems:
        last = report.problems[-1] if report.problems[-1].kind == SPACE_FILE_DAMAGED else None
        if last is not None:
            if usable_copy is not None:
                last.hint = f"This device's copy ({copy_path}) is intact: copy it to {shared_path}."
            else:
                last.hint = (
                    "Restore it from a backup, or from the copy your partner's machine keeps "
                    "(their profile folder's space.json)."
                )
    if usable_shared is not None and usable_copy is not None and usable_shared != usable_copy:
        shared_version, copy_version = usable_shared.key_version, usable_copy.key_version
        concurrent = any(usable_copy == other for _, other in conflict_copies(profile))
        if concurrent:
            report.note(
                SPACE_COPY,
                copy_path,
                "This device's copy of space.json is the passphrase change made here, which "
                "the sync tool kept as a conflict copy: it still opens the space here.",
                "Agree on one passphrase together, then run `companion passwd`.",
            )
        elif copy_version > shared_version:
            report.problem(
                SPACE_FILE_DAMAGED,
                shared_path,
                f"The shared space.json is older (key version {shared_version}) than the "
                f"copy this device already had (version {copy_version}): someone put an "
                "old one back, and with it an old passphrase opens the space again.",
                f"Copy {copy_path} to {shared_path}, and keep using the newer passphrase.",
            )
        elif copy_version == shared_version:
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
    usable = [(shared_path, usable_shared)] if usable_shared is not None else []
    if usable_copy is not None and usable_copy != shared:
        usable.append((copy_path, usable_copy))
    if usable:  # the passphrase set on the other device at the same time opens one of these
        usable += [(p, h) for p, h in conflict_copies(profile) if h not in dict(usable).values()]
    return usable
