"""The space's keys on this device: remembering the data key, changing the passphrase."""

from __future__ import annotations

from companion.errors import UsageError
from companion.service.core import SessionCore
from companion.service.header import check_passphrase, load_header
from companion.store import spacefile
from companion.store.spacefile import SPACE_FILE


class KeysPart(SessionCore):
    """Remember the key here (or forget it), and change the passphrase for both."""

    def remembered_where(self) -> str | None:
        """Where this device remembers the key ('keychain', 'file'), or None."""
        from companion.store import keychain

        return keychain.where(self.profile)

    def keychain_available(self) -> bool:
        """Whether this system has a keychain the key could be remembered in."""
        from companion.store import keychain

        return keychain.keychain_available()

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
        current = load_header(self.profile)
        header, _ = spacefile.create(
            new_passphrase, self.profile.space_id, self._data_key, current.key_version + 1
        )
        spacefile.save(header, self.profile.space_dir / SPACE_FILE)
        spacefile.save(header, self.profile.space_copy)
        self.header = header
