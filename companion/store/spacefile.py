"""`space.json`: the plaintext header of a space. It holds no personal content.

It carries the format version, the space id, the key-derivation parameters and salt, the
data key wrapped by the passphrase key, and a key-check value. A checksum over the rest
tells accidental damage apart from a passphrase that simply doesn't fit.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.errors import DataError, UnlockError
from companion.store import crypto
from companion.store.bounded import NotRegular, read_at_most
from companion.store.fsutil import atomic_write

FORMAT = 1
APP = "companion"
SPACE_FILE = "space.json"
_DEVICE_ID = re.compile(r"[0-9a-f]{0,64}")
# The most memory a key derivation may ask for (the app's own ask for 64 or 128 MiB).
MAX_KDF_MEMORY = 512 * 1024 * 1024
# A space file is well under 1 KiB; one larger than this is not read.
MAX_BYTES = 64 * 1024


def _checksum(body: dict[str, Any]) -> str:
    canon = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canon).hexdigest()


def _key_aad(space_id: str, version: int) -> bytes:
    return f"companion data-key v{FORMAT}|{space_id}|{version}".encode()


@dataclass(frozen=True)
class SpaceHeader:
    space_id: str
    kdf: dict[str, Any]
    wrapped_key: str
    key_check: str
    key_version: int
    # The device that last set the passphrase (its id is already the name of its folder in
    # the space), so the other partner can be told whose change it was; "" if unknown.
    changed_on: str = ""

    def body(self) -> dict[str, Any]:
        body = {
            "app": APP,
            "format": FORMAT,
            "space_id": self.space_id,
            "kdf": self.kdf,
            "wrapped_key": self.wrapped_key,
            "key_check": self.key_check,
            "key_version": self.key_version,
        }
        if self.changed_on:
            body["changed_on"] = self.changed_on
        return body

    def to_bytes(self) -> bytes:
        body = self.body()
        body["checksum"] = _checksum(body)
        return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()

    def unlock(self, passphrase: str, kek: bytes | None = None) -> bytes:
        """The data key, or UnlockError if the passphrase doesn't fit.

        `kek` is the passphrase's key, when it was already derived (e.g. in parallel with
        start-up); it is checked exactly as a freshly derived one would be.
        """
        if kek is None:
            kek = crypto.derive_kek(passphrase, self.kdf)
        if crypto.key_check(kek, self.space_id) != self.key_check:
            raise UnlockError(
                "That passphrase doesn't open this space.",
                "Check it and try again; it is the one chosen when the space was created.",
            )
        try:
            return crypto.open_sealed(
                kek, crypto.b64d(self.wrapped_key), _key_aad(self.space_id, self.key_version)
            )
        except (crypto.OpenFailed, ValueError):
            raise DataError(
                "The passphrase is right, but the wrapped key in space.json is damaged.",
                "Restore space.json from a backup or from your partner's copy of the folder.",
            ) from None


def _damaged(path: Path, why: str) -> DataError:
    return DataError(
        f"{path} is damaged ({why}).",
        "Restore it from a backup, or from the copy your partner's machine has; "
        "your notes are not in this file, only the lock on them.",
    )


def kdf_ok(kdf: Any) -> bool:
    """Whether key-derivation parameters are ones this app may run (see `_kdf_ok`)."""
    return _kdf_ok(kdf)


def _kdf_ok(kdf: Any) -> bool:
    if not isinstance(kdf, dict) or not isinstance(kdf.get("salt"), str):
        return False
    if kdf.get("name") == crypto.ARGON2ID:
        keys = ("iterations", "lanes", "memory_cost")
    elif kdf.get("name") == crypto.SCRYPT:
        keys = ("n", "r", "p")
    else:
        return False
    if not all(isinstance(kdf.get(k), int) and not isinstance(kdf.get(k), bool) for k in keys):
        return False
    try:
        salt = crypto.b64d(kdf["salt"])
    except ValueError:
        return False
    if not 8 <= len(salt) <= 64:
        return False
    # Within what this app ever writes (64 MiB, three passes), with room to grow; beyond it
    # a planted file could only make unlocking hang or exhaust memory, and anyone who can
    # write into the folder can plant one. Each of `keys` is known to be an int here.
    if kdf["name"] == crypto.ARGON2ID:
        iterations: int = kdf["iterations"]
        lanes: int = kdf["lanes"]
        memory_cost: int = kdf["memory_cost"]  # KiB
        return (
            1 <= iterations <= 16
            and 1 <= lanes <= 16
            and 8 * lanes <= memory_cost <= MAX_KDF_MEMORY // 1024
            and iterations * memory_cost <= 4 * MAX_KDF_MEMORY // 1024
        )
    n: int = kdf["n"]
    r: int = kdf["r"]
    p: int = kdf["p"]
    return (
        2**10 <= n <= 2**22
        and n & (n - 1) == 0
        and 1 <= r <= 32
        and 1 <= p <= 4
        and 128 * n * r <= MAX_KDF_MEMORY
    )


def parse(data: bytes, path: Path) -> SpaceHeader:
    """Read a space header, raising DataError with a clear message for any damage."""
    try:
        body = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, absurd nesting or numbers
        raise _damaged(path, "not readable JSON") from None
    if not isinstance(body, dict):
        raise _damaged(path, "not a space description")
    checksum = body.pop("checksum", None)
    if body.get("app") != APP:
        raise _damaged(path, "not a companion space file")
    if body.get("format") != FORMAT:
        raise DataError(
            f"{path} uses format {body.get('format')!r}, which this version can't read.",
            "Update companion on this machine to the version your partner uses.",
        )
    if checksum != _checksum(body):
        raise _damaged(path, "its checksum does not match")
    fields = ("space_id", "wrapped_key", "key_check")
    if not all(isinstance(body.get(k), str) and body.get(k) for k in fields):
        raise _damaged(path, "a field is missing")
    version = body.get("key_version")
    if not isinstance(version, int) or isinstance(version, bool) or not _kdf_ok(body.get("kdf")):
        raise _damaged(path, "its key parameters are missing")
    changed_on = body.get("changed_on", "")
    if not isinstance(changed_on, str) or not _DEVICE_ID.fullmatch(changed_on):
        raise _damaged(path, "it names no device that could have changed it")
    return SpaceHeader(
        space_id=body["space_id"],
        kdf=body["kdf"],
        wrapped_key=body["wrapped_key"],
        key_check=body["key_check"],
        key_version=version,
        changed_on=changed_on,
    )


class NotAFile(DataError):
    """space.json is a link, FIFO, device or folder: never read; the profile's copy serves."""


def read(path: Path) -> bytes | None:
    """The bytes of a space file (None if there is none), never through a link or from
    anything but a regular file (NotAFile), and never more than an honest one can hold."""
    try:
        data = read_at_most(path, MAX_BYTES + 1)
    except NotRegular as exc:
        raise NotAFile(
            f"{path} is {exc.what}, not a file, so it was not read.",
            "Move it out of the shared folder and copy this device's copy of space.json "
            "(in the profile folder) in its place.",
        ) from None
    except OSError as exc:
        raise DataError(f"Could not read {path}: {exc.strerror or exc}.") from None
    if data is not None and len(data) > MAX_BYTES:
        raise _damaged(path, f"larger than {MAX_BYTES // 1024} KiB, which no space file is")
    return data


def load(path: Path) -> SpaceHeader:
    data = read(path)
    if data is None:
        raise DataError(
            f"There is no space file at {path}.",
            "Check that the shared folder is there and synced, or restore space.json.",
        )
    return parse(data, path)


def create(
    passphrase: str,
    space_id: str,
    data_key: bytes | None = None,
    version: int = 1,
    changed_on: str = "",
) -> tuple[SpaceHeader, bytes]:
    """A new header wrapping `data_key` (a fresh one if None) under `passphrase`."""
    data_key = data_key or crypto.new_data_key()
    kdf = crypto.new_kdf_params()
    kek = crypto.derive_kek(passphrase, kdf)
    wrapped = crypto.seal(kek, data_key, _key_aad(space_id, version))
    header = SpaceHeader(
        space_id=space_id,
        kdf=kdf,
        wrapped_key=crypto.b64e(wrapped),
        key_check=crypto.key_check(kek, space_id),
        key_version=version,
        changed_on=changed_on,
    )
    return header, data_key


def save(header: SpaceHeader, path: Path, mode: int = 0o600) -> None:
    atomic_write(path, header.to_bytes(), mode=mode)


def new_space_id() -> str:
    return os.urandom(12).hex()
