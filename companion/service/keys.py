"""The space's keys on this device: remembering the data key, changing the passphrase."""

from __future__ import annotations

import contextlib

from companion.domain import model as m
from companion.errors import DataError, UsageError
from companion.service.core import SessionCore
from companion.service.header import check_passphrase, conflict_copies, load_header
from companion.store import spacefile
from companion.store.spacefile import SPACE_FILE, SpaceHeader


def keychain_available() -> bool:
    """Whether this system has a keychain the key could be remembered in. Needs no session:
    the app asks once early, off the event loop, because finding the keychain the first time
    (importing keyring, probing its backends) takes a good part of a second."""
    from companion.store import keychain

    return keychain.keychain_available()


class KeysPart(SessionCore):
    """Remember the key here (or forget it), and change the passphrase for both."""

    def remembered_where(self) -> str | None:
        """Where this device remembers the key ('keychain', 'file'), or None."""
        from companion.store import keychain

        return keychain.where(self.profile)

    def keychain_available(self) -> bool:
        """Whether this system has a keychain the key could be remembered in."""
        return keychain_available()

    def remember(self, *, allow_file: bool = False) -> str:
        from companion.store import keychain

        return keychain.remember(self.profile, self._data_key, allow_file=allow_file)

    def forget(self) -> None:
        from companion.store import keychain

        keychain.forget(self.profile)

    def change_passphrase(self, new_passphrase: str) -> None:
        check_passphrase(new_passphrase)
        if not self.journal.available():
            raise UsageError(
                "The shared folder isn't reachable, so the passphrase can't change now.",
                f"Make sure {self.profile.shared_folder} is there and synced, then try again.",
            )
        conflicts = conflict_copies(self.profile)
        versions = [load_header(self.profile), self.header, *(h for _, h in conflicts)]
        header, _ = spacefile.create(
            new_passphrase,
            self.profile.space_id,
            self._data_key,
            max(h.key_version for h in versions) + 1,
            changed_on=self.device_id,
        )
        spacefile.save(header, self.profile.space_dir / SPACE_FILE)
        spacefile.save(header, self.profile.space_copy)
        self.header = header
        # Settled: the one just set replaces both of the changes made at once, and a copy
        # left behind would keep opening the space with a passphrase given up.
        for path, _ in conflicts:
            with contextlib.suppress(OSError):
                path.unlink()

    def passphrase_news(self) -> str | None:
        """What a person should know about the passphrase after opening, or None: that it
        was changed on the other device (and the one typed here still opens this device's
        copy), or on two devices at once."""
        try:
            shared = spacefile.load(self.profile.space_dir / SPACE_FILE)
        except DataError:
            return None  # unreachable or damaged: sync and verify say so
        conflicts = [h for _, h in conflict_copies(self.profile)]
        mine = self.header  # what the passphrase last typed here opens: this device's copy
        if not self.header_typed:
            with contextlib.suppress(DataError):
                mine = spacefile.load(self.profile.space_copy)
        if conflicts and (mine == shared or mine in conflicts):
            kept = self._changed_by(shared)
            others = ", ".join(sorted({self._changed_by(h) for h in conflicts}))
            return (
                f"The passphrase was changed on two devices at about the same time ({kept} "
                f"and {others}); the shared folder kept the one set on {kept}. Each still "
                "opens the device it was set on. Agree on one together, then run `companion "
                "passwd` on either device to set it for both of you."
            )
        if mine != shared and mine.key_version <= shared.key_version:
            return (
                f"The passphrase was changed on {self._changed_by(shared)}. Use the new one "
                "from now on; until you type it here, the old one still opens the space on "
                "this device only."
            )
        return None

    def _changed_by(self, header: SpaceHeader) -> str:
        """Whose device set a header's passphrase, as a person says it."""
        if header.changed_on == self.device_id:
            return "this device"
        for device in self.core(m.DEVICE, include_deleted=True):
            if device.id == header.changed_on:
                owner = device.get("partner")
                if owner == self.me:
                    return "another device of yours"
                return f"{self.name_of(owner)}'s device"
        return "another device"
