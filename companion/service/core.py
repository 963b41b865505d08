"""The core of an unlocked space: who is who, today, and the one path every change takes.

Every change follows one path: an operation is stamped by the clock, written to the outbox
(durable, so it doubles as a write-ahead log), merged into the replica, then shipped to the
shared folder as a segment when it is reachable. The parts of the practice (care.py,
notes.py, checkins.py, …) build on this core; Session (session.py) puts them together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from companion.domain import effects
from companion.domain import model as m
from companion.domain.hlc import Clock, stamp_ms
from companion.domain.ids import month_partition, owned_id
from companion.domain.records import Record, make_op
from companion.domain.rights import NATURAL
from companion.domain.schema import check_op
from companion.errors import StorageFullError, UsageError
from companion.service.clock import moment, wall_ms
from companion.service.header import readable
from companion.store import crypto, signing, spacefile
from companion.store import profile as profiles
from companion.store.lock import ProfileLock
from companion.store.replica import CORE, Replica
from companion.store.spacefile import SpaceHeader
from companion.store.storage import StorageDamaged
from companion.sync import engine, layout, lifetime, trust
from companion.sync.admission import admit
from companion.sync.journal import Journal
from companion.sync.ownership import first_refusal
from companion.sync.problems import Problem

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="SessionCore")


def locked(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Run a Session method holding the profile's lock (it is re-entrant)."""

    @wraps(method)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.lock:
            return method(self, *args, **kwargs)

    return wrapper


class SessionCore:
    """An unlocked space on this device: its replica, journal, clock and lock."""

    def __init__(
        self,
        profile: profiles.Profile,
        header: SpaceHeader,
        data_key: bytes,
        now: Callable[[], int] = wall_ms,
    ) -> None:
        self.profile = profile
        # The header the passphrase typed here opened, which this device keeps a copy of;
        # with a key that came another way (header_typed False) the copy stays as it was.
        self.header = header
        self.header_typed = True
        self.now = now
        self._data_key = data_key
        self.replica = Replica(
            profile.replica_dir, profile.outbox_dir, data_key, profile.space_id, profile.device_id
        )
        self.journal = Journal(
            profile.space_dir,
            crypto.subkey(data_key, "segment"),
            profile.space_id,
            profile.device_id,
        )
        self.journal.signer = signing.load_or_create(
            profile.home, data_key, profile.space_id, profile.device_id
        )
        self.clock = Clock(profile.device_id)
        # the partner's name as the space holds it, when this device joined as them
        self.joined_as: str | None = None
        # the trust an earlier copy of the replica had settled (see `rebuild_replica`)
        self.carried_trust: dict[str, Any] | None = None
        self.lock = ProfileLock(profile.home / profiles.LOCK_FILE)

    @property
    def data_key(self) -> bytes:
        """The space's data key: only ever handed to this device's own processes."""
        return self._data_key

    @locked
    def _open(self) -> None:
        """Bring the replica up to date with the outbox (and the folder, if it is new)."""
        fresh = not self.replica.exists()
        if fresh:
            self.replica.create_dirs()
            self.replica.set_meta(created=self.now())
        self.start_trust()  # before anything is read: a copy from before signing is pinned
        if fresh:
            engine.import_new(self.replica, self.journal, self.clock, self.now())
        elif self.journal.available():
            # segments of ours the replica may not have merged (a crash right after writing)
            mine = self.replica.meta("cursors", {}).get(self.profile.device_id, {})
            if self.journal.listing(self.profile.device_id).last_seq > mine.get("seq", 0):
                engine.import_new(self.replica, self.journal, self.clock, self.now())
        last = self.replica.meta("clock")
        if last:
            self.clock.observe(last, self.now())
        pending = self.replica.outbox()
        for _, ops in pending:
            for op in ops:
                self.clock.observe(op["hlc"], self.now())
            # Checked like any change read from the folder: what the admission refuses here is
            # still shipped, then kept aside and reported when this device reads it back.
            admitted = [a.op for a in map(admit, ops) if a.op is not None]
            self.replica.apply(admitted)
        self._publish_key()
        kept = self.profile.space_copy.read_bytes() if self.profile.space_copy.exists() else b""
        if self.header.to_bytes() != kept and (self.header_typed or not readable(kept)):
            spacefile.save(self.header, self.profile.space_copy)

    def start_trust(self) -> bool:
        """Settle whose device this is, once: on a new copy, this device alone is trusted (and
        whatever the copy it replaces trusted); on a copy from before devices signed, every
        device it already knows is pinned as the owner its record names (they were trusted
        then). False when already settled."""
        if trust.state(self.replica) is not None or not self.me:
            return False
        pins = trust.pins_on_upgrade(self.replica, self.me, self.device_id)
        carried = self.carried_trust
        if carried is not None and carried.get("me") == self.me:
            pins = {**dict(carried.get("pins") or {}), **pins}
        self.replica.set_meta(trust={"me": self.me, "pins": pins})
        return True

    def _publish_key(self) -> None:
        """Put this device's signing key in its record, and when the space began in my
        partner record, where they aren't there (a space from before either existed)."""
        signer = self.journal.signer
        try:
            mine = self.replica.get(self.device_id, m.DEVICE)
            began = lifetime.began_to_write(self.core(m.PARTNER), self.me)
        except StorageDamaged:
            return  # published on a later open, once the local copy is rebuilt
        if signer is None or mine is None or not self.me:
            return
        key = crypto.b64e(signer.public)
        ops: list[dict[str, Any]] = []
        if mine.get("key") != key:
            ops.append(self.op("set", self.device_id, m.DEVICE, {"key": key}))
        if began is not None:
            ops.append(self.op("set", self.me, m.PARTNER, {m.BEGAN: began}))
        if ops:
            self.commit(ops)

    # -- who is who, where ------------------------------------------------------------------

    @property
    def me(self) -> str:
        return self.profile.partner_id

    def partners(self) -> dict[str, str]:
        """Partner id → name, in the order they joined."""
        found = [r for r in self.replica.records(CORE) if r.type == m.PARTNER and not r.deleted]
        found.sort(key=lambda r: r.created)
        return m.shown_names({r.id: r.get("name", "?") for r in found}, self.me)

    @property
    def partner(self) -> str | None:
        return next((pid for pid in self.partners() if pid != self.me), None)

    def name_of(self, partner_id: str | None) -> str:
        if partner_id is None:
            return "your partner"
        return self.partners().get(partner_id, "someone")

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.now() / 1000).date()

    def first_day(self, record: Record) -> dt.date:
        """The first day a record can be about: the local day it was made, or today if its
        maker's clock ran ahead of ours (a day can't be refused for a clock's mistake)."""
        made = moment(stamp_ms(record.created)).date()
        return min(made, self.today())

    def space_began_ms(self) -> int:
        """When the space was made (as my record says, else by its first partner's record)."""
        partners = self.core(m.PARTNER)
        said = lifetime.began_ms(partners, self.me)
        made = stamp_ms(partners[0].created) if partners else self.now()
        return min(made if said is None else said, self.now())

    @property
    def device_id(self) -> str:
        return self.profile.device_id

    @property
    def space_id(self) -> str:
        return self.profile.space_id

    @property
    def home(self) -> Path:
        """This device's profile folder."""
        return self.profile.home

    @property
    def shared_folder(self) -> Path:
        return self.profile.shared_folder

    @property
    def space_dir(self) -> Path:
        """The space's own folder inside the shared folder."""
        return self.profile.space_dir

    def watched_dirs(self) -> tuple[Path, Path]:
        """Where the devices' journals land, and this device's own journal among them."""
        return self.journal.devices_dir, self.journal.own_dir

    # -- writing ----------------------------------------------------------------------------

    def op(
        self, kind: str, record_id: str, record_type: str, fields: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A change by me, stamped above everything the record holds so far: an edit made
        after seeing a value wins over it, even when that value came from a clock far ahead."""
        known = self.replica.get(record_id, record_type)
        stamp = self.clock.stamp_above(self.now(), None if known is None else known.hlc)
        if known is not None and stamp <= known.hlc:
            # dated at the very end of time (merged before the admission horizon held such
            # changes back): nothing can be stamped above it, so nothing is written
            raise UsageError(
                "That change didn't take: this record carries a date at the very end of "
                "time, so no change can come after it. Nothing was changed.",
                "It stays as it is. `companion verify` tells whether a modified app wrote it.",
            )
        return make_op(kind, record_id, record_type, stamp, self.profile.device_id, self.me, fields)

    @locked
    def commit(self, ops: list[dict[str, Any]], *, flush: bool = True) -> list[Record]:
        """Make changes durable, then merge them into the replica.

        With the shared folder reachable, the new segment itself is the durable record (the
        replica is rebuilt from it after a crash); otherwise the outbox is, and the changes
        wait there until the folder is back.
        """
        for op in ops:
            # The app's own changes pass the same schema as a partner's: a change that
            # wouldn't is a bug here, and stopping is better than sending it.
            invalid = check_op(op)
            if invalid is not None:
                raise RuntimeError(f"companion was about to write {invalid.describe()}: {op}")
        # Nor may it write what the partner's app would refuse as not its author's to change.
        # (the partners matter only to creates under random ids: not to a tick, say)
        needs_partners = any(o["op"] == "create" and o["type"] not in NATURAL for o in ops)
        partners = (
            [r.id for r in self.core(m.PARTNER, include_deleted=True)] if needs_partners else []
        )
        not_allowed = first_refusal(ops, self.replica.owners, partners)
        if not_allowed is not None:
            told = not_allowed.describe(self.partners(), self.me)
            raise RuntimeError(f"companion was about to write a change that {told}: {ops}")
        shipped = flush and engine.export_pending(self.replica, self.journal, self.clock, ops)
        if not shipped:
            self.replica.outbox_put(ops)
        try:
            changed = self.replica.apply(ops)
            if shipped:
                engine.advance_own_cursor(self.replica, self.journal, self.clock)
        except StorageFullError:
            if not shipped:
                raise
            raise StorageFullError(
                "Your change is saved in the shared folder, but the disk is full, so this "
                "device's own copy couldn't be brought up to date.",
                "Free some space; the change shows here again the next time companion opens.",
            ) from None
        self._check_took(ops)
        return changed

    def _check_took(self, ops: list[dict[str, Any]]) -> None:
        """Refuse to report success for a change the merge discarded (a later stamp held it)."""
        for (record_id, record_type), expected in effects.expected_values(ops).items():
            record = self.replica.get(record_id, record_type)
            if record is not None and not effects.holds(record, expected):
                raise UsageError(
                    "That change didn't take: it was changed elsewhere at a later time (by "
                    "the clocks), so nothing changed.",
                    "Check the date and time on this computer and on your partner's, then "
                    "look at it again.",
                )

    @locked
    def close(self) -> None:
        """Write down this device's bookkeeping; call when done with the session."""
        self.replica.save_meta()

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @locked
    def flush(self) -> int:
        return engine.export_pending(self.replica, self.journal, self.clock)

    @locked
    def clear_problems(self) -> int:
        """Forget the problems sync noted, once a person has dealt with them: damage still
        there is found again next pass; a fork or a shared id only if it happens again."""
        problems = self.replica.meta("problems", [])
        self.replica.set_meta(problems=[])
        return len(problems)

    def new_id(self) -> str:
        return owned_id(self.now(), self.me)

    # -- reading ----------------------------------------------------------------------------

    def core(self, record_type: str, *, include_deleted: bool = False) -> list[Record]:
        found = [r for r in self.replica.records(CORE) if r.type == record_type]
        if not include_deleted:
            found = [r for r in found if not r.deleted]
        return sorted(found, key=lambda r: r.created)

    def core_records(self) -> list[Record]:
        """Every record of the core partition (people, devices, menus, care, agreements)."""
        return list(self.replica.records(CORE))

    def record(self, record_id: str, record_type: str) -> Record | None:
        """One record by id (deleted ones too), looked up in its own partition."""
        return self.replica.get(record_id, record_type)

    def title_of(self, record_id: str | None, record_type: str) -> str | None:
        """A care action's title, a need's text: what a referring record names, if known."""
        if not record_id:
            return None
        found = self.replica.get(record_id, record_type)
        if found is None:
            return None
        return found.get("title") if record_type == m.CARE else found.get("text")

    def dated(
        self,
        record_types: Iterable[str],
        partitions: Iterable[str] | None = None,
        *,
        include_deleted: bool = False,
    ) -> list[Record]:
        parts = self.replica.partitions() if partitions is None else partitions
        found = self.replica.records_of(record_types, parts)
        if not include_deleted:
            found = [r for r in found if not r.deleted]
        return sorted(found, key=lambda r: r.created)

    def months(self) -> list[str]:
        """The month partitions that hold dated records ('m-YYYY-MM'), oldest first."""
        return sorted(self.replica.partitions())

    def recent_partitions(self, day: dt.date, days_back: int = 7) -> list[str]:
        first = month_partition(day - dt.timedelta(days=days_back))
        last = month_partition(day)
        return [p for p in self.replica.partitions() if first <= p <= last]

    # -- how sync stands --------------------------------------------------------------------

    def folder_available(self) -> bool:
        return self.journal.available()

    def waiting(self) -> int:
        """Changes of this device not yet in the shared folder."""
        return self.replica.outbox_count()

    def problems(self) -> list[Problem]:
        """What sync passes noted and a person hasn't cleared yet, and what stands in the shared
        folder where it shouldn't (links, FIFOs, files where folders belong: found afresh)."""
        stored = [*self.replica.meta("problems", []), *layout.folder_problems(self.journal)]
        return [Problem.from_dict(p) for p in stored]

    def last_sync(self) -> int | None:
        """When a pass last reached the shared folder (ms), if ever."""
        last = self.replica.meta("last_sync")
        return int(last) if last else None

    def cursors(self) -> dict[str, dict[str, Any]]:
        """How far this device has read each device's journal."""
        return dict(self.replica.meta("cursors", {}))

    def _present(self, record_id: str, record_type: str) -> Record:
        """A record just written by this session: it is there, or the replica is broken."""
        found = self.replica.get(record_id, record_type)
        if found is None:
            raise RuntimeError(f"{record_type} {record_id} vanished right after it was saved")
        return found
