"""'Remember on this device': the data key kept by the OS keychain, or (only when asked for
explicitly) in a 0600 file in the profile.

Remembering is opt-in. With it, anyone who can use this computer account can open the space
without the passphrase, which is the point and the risk; a key file also opens it for anyone
with a copy of the disk. Changing the passphrase doesn't change the data key, so a remembered
key keeps working until it is forgotten here.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from companion.errors import UsageError
from companion.store import crypto
from companion.store.fsutil import atomic_write, read_bytes

# The names of the files that say a key is remembered are part of this module's interface too
# (verify reads them here); the `as` says so to type checkers.
from companion.store.profile import KEY_FILE as KEY_FILE
from companion.store.profile import KEYCHAIN_MARK as KEYCHAIN_MARK
from companion.store.profile import Profile, remembered_in

SERVICE = "companion"


def _account(profile: Profile) -> str:
    return f"{profile.space_id}:{profile.device_id}"


def keychain_available() -> bool:
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return False
    try:
        backend = keyring.get_keyring()
    except Exception:
        return False
    return not isinstance(backend, fail.Keyring)


def remember(profile: Profile, data_key: bytes, *, allow_file: bool = False) -> str:
    """Keep the data key on this device; return where ('keychain' or 'file')."""
    encoded = crypto.b64e(data_key)
    if keychain_available():
        import keyring

        keyring.set_password(SERVICE, _account(profile), encoded)
        atomic_write(profile.home / KEYCHAIN_MARK, b"")
        return "keychain"
    if not allow_file:
        raise UsageError(
            "This system has no keychain that companion can use, so it can't remember the "
            "passphrase safely.",
            "Keep typing it (safest), or allow a key file in your profile (`companion "
            "remember --key-file`): it opens your space for anyone with a copy of this disk.",
        )
    atomic_write(profile.home / KEY_FILE, encoded.encode("ascii"), mode=0o600)
    return "file"


def where(profile: Profile) -> str | None:
    return remembered_in(profile.home)


def recall(profile: Profile) -> bytes | None:
    """The remembered data key, or None."""
    kind = where(profile)
    encoded: str | None = None
    if kind == "file":
        raw = read_bytes(profile.home / KEY_FILE)
        encoded = raw.decode("ascii", "replace").strip() if raw else None
    elif kind == "keychain" and keychain_available():
        import keyring

        encoded = keyring.get_password(SERVICE, _account(profile))
    if not encoded:
        return None
    try:
        key = crypto.b64d(encoded)
    except ValueError:
        return None
    return key if len(key) == crypto.KEY_BYTES else None


def forget(profile: Profile) -> None:
    if (profile.home / KEYCHAIN_MARK).exists() and keychain_available():
        import keyring
        from keyring.errors import PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError):
            keyring.delete_password(SERVICE, _account(profile))
    for name in (KEYCHAIN_MARK, KEY_FILE):
        path: Path = profile.home / name
        if path.exists():
            path.unlink()
