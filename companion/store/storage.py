"""A TinyDB storage that keeps each database file sealed with AES-256-GCM.

The file is `CRP1 || nonce || ciphertext`, the plaintext being zlib-compressed JSON. The
associated data names the file's role, so one partition can't be swapped for another. Reads
are served from memory after the first; writes go to a hidden temp file, are fsync'd and then
renamed over the old file, so a crash leaves the old state or the new one, never a mix.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from companion.errors import DataError
from companion.store import bounded, crypto
from companion.store.bounded import MIB, Limits
from companion.store.fsutil import atomic_write

MAGIC = b"CRP1"
# One replica file (a month of dated records, the care menus and agreements, or bookkeeping).
# After ten years (scripts/gen_history.py) the largest unpacks to 285 KB, 17,000 values; these
# limits are hundreds of times that, as a rebuild would fill a file to them again: they only
# stop a file planted in the profile from taking all the memory there is.
REPLICA_FILE = Limits("a local file", inflated=128 * MIB, values=8_000_000)


class StorageDamaged(DataError):
    """A replica file failed to open: damaged, tampered with, or from elsewhere."""


class StorageTooLarge(StorageDamaged):
    """A local file that opens but is over its limits: put there or changed outside companion."""


class EncryptedStorage(Storage):
    def __init__(self, path: str | Path, key: bytes, aad: bytes, sync_dir: bool = True) -> None:
        self._sync_dir = sync_dir
        self.path = Path(path)
        self._key = key
        self._aad = aad
        self._data: dict[str, Any] | None = None
        self._loaded = False
        self._batch_depth = 0
        self._deferring = 0
        self._dirty = False
        self._stat: tuple[int, int] | None = None

    def _file_stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _load(self) -> None:
        blob = read_sealed(self.path)
        self._stat = self._file_stat()
        if blob is None:
            self._data = None
        else:
            self._data = decode(blob, self._key, self._aad, self.path)
        self._loaded = True

    def refresh_if_changed(self) -> bool:
        """Drop the cached contents if another process replaced the file."""
        if (
            self._loaded
            and not self._batch_depth
            and not self._dirty
            and self._file_stat() != self._stat
        ):
            self._loaded = False
            return True
        return False

    def read(self) -> dict[str, Any] | None:
        if not self._loaded:
            self._load()
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        self._loaded = True
        if self._batch_depth or self._deferring:
            self._dirty = True
        else:
            self._flush()

    def _flush(self) -> None:
        atomic_write(
            self.path, encode(self._data or {}, self._key, self._aad), sync_dir=self._sync_dir
        )
        self._stat = self._file_stat()
        self._dirty = False

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many TinyDB writes into one encrypted, fsync'd write of the file."""
        self._batch_depth += 1
        try:
            yield
        except BaseException:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._dirty:
                self._loaded = False  # throw away half-made changes; the file is intact
                self._dirty = False
            raise
        self._batch_depth -= 1
        if self._batch_depth == 0 and self._dirty and not self._deferring:
            self._flush()

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Keep writes in memory until `flush_pending` (for bookkeeping a crash may lose)."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1

    @property
    def dirty(self) -> bool:
        return self._dirty

    def flush_pending(self) -> None:
        if self._dirty and not self._batch_depth and not self._deferring:
            self._flush()

    def close(self) -> None:
        self.flush_pending()


def read_sealed(path: Path) -> bytes | None:
    """A replica file's bytes (of one too long to be ours, enough to tell), None if absent."""
    return bounded.read_at_most(path, len(MAGIC) + REPLICA_FILE.sealed + 1)


def encode(data: dict[str, Any], key: bytes, aad: bytes) -> bytes:
    plain = zlib.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"), 1)
    return MAGIC + crypto.seal(key, plain, aad)


def decode(blob: bytes, key: bytes, aad: bytes, path: Path) -> dict[str, Any]:
    if not blob.startswith(MAGIC):
        raise StorageDamaged(
            f"The local file {path.name} is damaged (it doesn't start like a companion file).",
            "Run `companion sync --rebuild` to rebuild the local copy from the shared folder.",
        )
    try:
        if len(blob) > len(MAGIC) + REPLICA_FILE.sealed:
            limit = bounded.size_text(REPLICA_FILE.sealed)
            raise bounded.OverLimit(f"too large: more than {limit}")
        plain = crypto.open_sealed(key, blob[len(MAGIC) :], aad)
        data = bounded.unpack(plain, REPLICA_FILE)
    except bounded.OverLimit as exc:
        raise StorageTooLarge(
            f"The local file {path.name} is {exc}: it was changed or put there outside companion.",
            "Run `companion sync --rebuild` to rebuild the local copy from the shared folder.",
        ) from None
    except (crypto.OpenFailed, zlib.error, ValueError, RecursionError):
        raise StorageDamaged(
            f"The local file {path.name} is damaged or was changed outside companion.",
            "Run `companion sync --rebuild` to rebuild the local copy from the shared folder.",
        ) from None
    if not isinstance(data, dict):
        raise StorageDamaged(f"The local file {path.name} does not hold a database.")
    return data


class KeyedTable(Table):
    """A table whose documents are keyed by record id rather than by counter."""

    # tinydb lets a table choose its id class but annotates ids as int throughout
    document_id_class = str  # type: ignore[assignment]


def keyed_document(value: Mapping[str, Any], record_id: str) -> Document:
    """A document for a KeyedTable, under its record id."""
    return Document(value, doc_id=record_id)  # type: ignore[arg-type]  # ids are str here


class KeyedDB(TinyDB):
    """A TinyDB over one EncryptedStorage, whose batching and flushing the replica uses."""

    table_class = KeyedTable

    def __init__(self, storage: EncryptedStorage) -> None:
        # TinyDB makes its storage by calling what it is handed; handing it a call that returns
        # this one lets `storage` keep its own type
        super().__init__(storage=lambda: storage)
        self._encrypted = storage

    @property
    def storage(self) -> EncryptedStorage:
        return self._encrypted


def open_db(path: Path, key: bytes, aad: bytes, sync_dir: bool = True) -> KeyedDB:
    return KeyedDB(EncryptedStorage(path, key, aad, sync_dir=sync_dir))
