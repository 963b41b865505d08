"""The local replica: this device's encrypted, merged copy of the space.

It is split into partitions so that opening it reads only what a screen needs:

- `core`: partners, devices, care menus, care actions, agreements (few, always needed);
- `m-YYYY-MM`: dated records (ticks, notes, check-ins, reviews) of one month, chosen by the
  time in the record's id, so a write touches one small file after ten years as on day one;
- `local`: this device's own bookkeeping (clock, journal position, read cursors), never synced.

The outbox holds operations not yet written to the shared folder. It is written before the
replica, so it doubles as a write-ahead log: whatever it holds is replayed on open.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import os
import zlib
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from companion.domain import model
from companion.domain.ids import id_ms, is_valid_id
from companion.domain.records import Record, merge, record_from_state
from companion.domain.schema import complete
from companion.errors import DataError
from companion.store import bounded, crypto
from companion.store.bounded import MIB, read_at_most
from companion.store.fsutil import atomic_write, ensure_private_dir, fsync_dir, is_temp_name
from companion.store.storage import (
    KeyedDB,
    StorageDamaged,
    StorageTooLarge,
    keyed_document,
    open_db,
)

CORE = "core"
LOCAL = "local"
# Check-in keys this device holds: kept apart from `local` because, unlike its bookkeeping,
# they can't be derived again, so they are never held back in memory.
KEYS = "keys"
# Operations refused when they arrived (see sync/quarantine.py): kept, never merged.
QUARANTINE = "quarantine"
RECORDS = "records"
META = "meta"
DB_SUFFIX = ".db"
MONTHS_IN_MEMORY = 4
OUTBOX_SUFFIX = ".op"
# One outbox file is one change (a few operations) on its way into a segment: it gets a
# segment's limits (companion/sync/segments.py says how they were chosen).
OUTBOX_ENTRY = bounded.Limits("a waiting change", inflated=2 * MIB, values=150_000, ops=6_000)


def partition_for(record_type: str, record_id: str) -> str:
    if record_type in model.DATED_TYPES and is_valid_id(record_id):
        try:
            when = dt.datetime.fromtimestamp(id_ms(record_id) / 1000, dt.UTC)
        except (ValueError, OverflowError, OSError):
            return CORE  # a time no calendar holds (a buggy app's id): kept, with the few
        return f"m-{when.year:04d}-{when.month:02d}"
    return CORE


class Replica:
    def __init__(
        self, root: Path, outbox_dir: Path, data_key: bytes, space_id: str, device_id: str
    ) -> None:
        self.root = root
        self.outbox_dir = outbox_dir
        self._key = crypto.subkey(data_key, "replica")
        self._outbox_key = crypto.subkey(data_key, "outbox")
        self._space_id = space_id
        self._device_id = device_id
        self._dbs: OrderedDict[str, KeyedDB] = OrderedDict()

    # -- files ---------------------------------------------------------------------------

    def create_dirs(self) -> None:
        ensure_private_dir(self.root)
        ensure_private_dir(self.outbox_dir)

    def exists(self) -> bool:
        return (self.root / f"{LOCAL}{DB_SUFFIX}").exists()

    def _aad(self, partition: str) -> bytes:
        return f"companion replica v1|{self._space_id}|{self._device_id}|{partition}".encode()

    def db(self, partition: str) -> KeyedDB:
        db = self._dbs.get(partition)
        if db is None:
            # Records partitions are rebuilt from the segments (or the outbox) after a crash,
            # so their renames skip the directory fsync; `local` (whose cursors say what is
            # already merged) and `keys` (which can't be derived again) keep it, and since all
            # share one directory, syncing it for them also settles the renames before.
            db = self._dbs[partition] = open_db(
                self.path(partition),
                self._key,
                self._aad(partition),
                sync_dir=partition in (KEYS, LOCAL),
            )
            self._evict()
        elif db.storage.refresh_if_changed():
            db.clear_cache()
        if partition.startswith("m-"):
            self._dbs.move_to_end(partition)
        return db

    def _evict(self) -> None:
        """Keep only the most recently used months decoded in memory (years of history would
        otherwise stay resident after one look at them)."""
        months = [p for p in self._dbs if p.startswith("m-")]
        for partition in months[: max(0, len(months) - MONTHS_IN_MEMORY)]:
            if not self._dbs[partition].storage.dirty:
                del self._dbs[partition]

    def path(self, partition: str) -> Path:
        """Where a partition lives. The check-in keys sit beside the replica, not in it, so
        that setting the replica aside to rebuild it never takes them along."""
        if partition == KEYS:
            return self.root.parent / f"{KEYS}{DB_SUFFIX}"
        return self.root / f"{partition}{DB_SUFFIX}"

    def partitions(self) -> list[str]:
        """Month partitions on disk, oldest first."""
        names = []
        for entry in os.scandir(self.root):
            name = entry.name
            if name.startswith("m-") and name.endswith(DB_SUFFIX) and not is_temp_name(name):
                names.append(name[: -len(DB_SUFFIX)])
        return sorted(names)

    def verify_all(self) -> list[tuple[str, DataError]]:
        """Open every partition; return those that fail."""
        problems: list[tuple[str, DataError]] = []
        for partition in [CORE, LOCAL, KEYS, QUARANTINE, *self.partitions()]:
            path = self.path(partition)
            if not path.exists():
                continue
            try:
                self.db(partition).storage.read()
            except StorageDamaged as exc:
                problems.append((partition, exc))
        return problems

    # -- records -------------------------------------------------------------------------

    def _raw(self, partition: str) -> dict[str, Any]:
        data = self.db(partition).storage.read() or {}
        records: dict[str, Any] = data.get(RECORDS, {})
        return records

    def records(self, partition: str) -> list[Record]:
        out = []
        for state in self._raw(partition).values():
            record = _readable(state)
            if record is not None:
                out.append(record)
        return out

    def records_of(self, types: Iterable[str], partitions: Iterable[str]) -> list[Record]:
        wanted = set(types)
        return [r for p in partitions for r in self.records(p) if r.type in wanted]

    def get(self, record_id: str, record_type: str) -> Record | None:
        state = self._raw(partition_for(record_type, record_id)).get(record_id)
        return None if state is None else _readable(state)

    def field_stamp(self, record_id: str, record_type: str, name: str) -> str | None:
        """The stamp of the value a record's field holds (None if it holds none)."""
        state = self._raw(partition_for(record_type, record_id)).get(record_id)
        stamp = state.get("clocks", {}).get(name) if isinstance(state, dict) else None
        return stamp if isinstance(stamp, str) else None

    def owners(self, record_ids: Iterable[str]) -> dict[str, tuple[str, str, str]]:
        """Record id → (type, owner, its create's stamp) for those of `record_ids` whose
        create has merged.

        An id may be stored in the core partition or in its month's, whatever type an
        operation names it with, so both are looked in; each partition is read once.
        """
        by_partition: dict[str, list[str]] = defaultdict(list)
        months = set(self.partitions())
        for record_id in record_ids:
            by_partition[CORE].append(record_id)
            month = partition_for(model.TICK, record_id)
            if month in months:
                by_partition[month].append(record_id)
        found: dict[str, tuple[str, str, str]] = {}
        for partition, ids in by_partition.items():
            states = self._raw(partition)
            for record_id in ids:
                state = states.get(record_id)
                if state is not None and state.get("created") is not None:
                    found[record_id] = (state["type"], state["author"], state["created"])
        return found

    def apply(
        self,
        ops: Iterable[dict[str, Any]],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Record]:
        """Merge operations in, one write per touched partition; return what changed."""
        by_partition: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for op in ops:
            by_partition[partition_for(op["type"], op["id"])].append(op)
        changed: list[Record] = []
        for done, (partition, part_ops) in enumerate(sorted(by_partition.items()), 1):
            if progress is not None:
                progress(done, len(by_partition))
            db = self.db(partition)
            table = db.table(RECORDS)
            existing = self._raw(partition)
            updated: dict[str, dict[str, Any]] = {}
            for op in part_ops:
                record_id = op["id"]
                state = updated.get(record_id)
                if state is None:
                    before = existing.get(record_id)
                    state = None if before is None else copy.deepcopy(before)
                updated[record_id] = merge(state, op)
            really: dict[str, dict[str, Any]] = {
                rid: state for rid, state in updated.items() if existing.get(rid) != state
            }
            if not really:
                continue
            present = [rid for rid in really if rid in existing]
            fresh = [keyed_document(really[rid], rid) for rid in really if rid not in existing]
            with db.storage.batch():
                if present:
                    # tinydb annotates document ids as int; a KeyedTable's are record ids
                    table.update(_replace_with(really), doc_ids=present)  # type: ignore[arg-type]
                if fresh:
                    table.insert_multiple(fresh)
            for state in really.values():
                record = _readable(state)
                if record is not None:
                    changed.append(record)
        return changed

    # -- this device's bookkeeping -------------------------------------------------------

    def meta(self, name: str, default: Any = None, *, partition: str = LOCAL) -> Any:
        data = self.db(partition).storage.read() or {}
        entry = data.get(META, {}).get(name)
        return default if entry is None else entry["v"]

    def set_meta(self, *, defer: bool = False, partition: str = LOCAL, **values: Any) -> None:
        """Record bookkeeping; `defer` keeps it in memory until `save_meta` or the next write.

        Deferred values are only ever ones a crash may lose without harm: they are derived
        again from the shared folder.
        """
        db = self.db(partition)
        table = db.table(META)
        with ExitStack() as stack:
            if defer:
                stack.enter_context(db.storage.deferred())
            stack.enter_context(db.storage.batch())
            for name, value in values.items():
                table.upsert(keyed_document({"v": value}, name))

    def save_meta(self) -> None:
        if LOCAL in self._dbs:
            self._dbs[LOCAL].storage.flush_pending()

    # -- outbox --------------------------------------------------------------------------

    def _outbox_aad(self, name: str) -> bytes:
        return f"companion outbox v1|{self._space_id}|{self._device_id}|{name}".encode()

    def outbox_put(self, ops: list[dict[str, Any]]) -> str:
        name = f"{ops[0]['hlc'].replace('.', '-')}{OUTBOX_SUFFIX}"
        plain = zlib.compress(json.dumps(ops, separators=(",", ":")).encode("utf-8"), 1)
        atomic_write(
            self.outbox_dir / name, crypto.seal(self._outbox_key, plain, self._outbox_aad(name))
        )
        return name

    def outbox(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """Pending batches of operations, oldest first."""
        if not self.outbox_dir.exists():
            return []
        pending = []
        for entry in sorted(os.scandir(self.outbox_dir), key=lambda e: e.name):
            if not entry.name.endswith(OUTBOX_SUFFIX) or is_temp_name(entry.name):
                continue
            pending.append((entry.name, self.read_outbox_entry(Path(entry.path))))
        return pending

    def read_outbox_entry(self, path: Path) -> Any:
        """The operations one outbox file holds (as parsed: callers check their shape)."""
        hint = f"Move {path} aside and run the command again."
        blob = read_at_most(path, OUTBOX_ENTRY.sealed + 1) or b""
        try:
            if len(blob) > OUTBOX_ENTRY.sealed:
                limit = bounded.size_text(OUTBOX_ENTRY.sealed)
                raise bounded.OverLimit(f"too large: more than {limit}")
            plain = crypto.open_sealed(self._outbox_key, blob, self._outbox_aad(path.name))
            return bounded.unpack(plain, OUTBOX_ENTRY)
        except bounded.OverLimit as exc:
            raise StorageTooLarge(
                f"A change waiting to be shared ({path.name}) is {exc}.", hint
            ) from None
        except (crypto.OpenFailed, zlib.error, ValueError, RecursionError):
            raise StorageDamaged(
                f"A change waiting to be shared ({path.name}) is damaged.", hint
            ) from None

    def outbox_count(self) -> int:
        if not self.outbox_dir.exists():
            return 0
        return sum(
            1
            for e in os.scandir(self.outbox_dir)
            if e.name.endswith(OUTBOX_SUFFIX) and not is_temp_name(e.name)
        )

    def outbox_remove(self, names: Iterable[str]) -> None:
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                (self.outbox_dir / name).unlink()
        fsync_dir(self.outbox_dir)


def _readable(state: dict[str, Any]) -> Record | None:
    """The record as readers see it, or None until it has the fields its type needs."""
    record = record_from_state(state)
    if record is None or not complete(record.type, record.fields):
        return None
    return record


def _replace_with(states: dict[str, dict[str, Any]]) -> Callable[[dict[str, Any]], None]:
    def transform(doc: dict[str, Any]) -> None:
        new = states[doc["id"]]
        doc.clear()
        doc.update(new)

    return transform
