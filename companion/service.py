"""What the CLI and the TUI call: set up, unlock, change and read a couple's space.

Every change follows one path: an operation is stamped by the clock, written to the outbox
(durable, so it doubles as a write-ahead log), merged into the replica, then shipped to the
shared folder as a segment when it is reachable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import wraps
from pathlib import Path
from typing import Any

from companion.domain import model as m
from companion.domain import rules
from companion.domain.hlc import Clock, stamp_ms
from companion.domain.ids import (
    checkin_id,
    is_valid_id,
    iso_week,
    make_id,
    month_partition,
    review_id,
    tick_id,
)
from companion.domain.records import Record, make_op
from companion.errors import CompanionError, DataError, StorageFullError, UsageError
from companion.store import crypto, early, spacefile
from companion.store import profile as profiles
from companion.store.fsutil import atomic_write, ensure_private_dir
from companion.store.lock import ProfileLock
from companion.store.replica import CORE, KEYS, Replica
from companion.store.spacefile import SPACE_FILE, SpaceHeader
from companion.sync import engine
from companion.sync.journal import Journal

MIN_PASSPHRASE = 8
SPACE_DIR = "companion"


def wall_ms() -> int:
    """Milliseconds since the epoch; COMPANION_NOW (ISO time) pins it for tests and demos."""
    fixed = os.environ.get("COMPANION_NOW")
    if fixed:
        when = dt.datetime.fromisoformat(fixed)
        if when.tzinfo is None:
            when = when.astimezone()
        return int(when.timestamp() * 1000)
    return time.time_ns() // 1_000_000


def new_device_id() -> str:
    return secrets.token_hex(8)


def check_passphrase(passphrase: str) -> str:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise UsageError(
            f"A passphrase needs at least {MIN_PASSPHRASE} characters.",
            "A few unrelated words make a good one that is easy to remember.",
        )
    return passphrase


def created_at(record: Record) -> str:
    return iso_from_ms(stamp_ms(record.created))


def iso_from_ms(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class SpaceLocation:
    folder: Path

    @property
    def space_dir(self) -> Path:
        return self.folder / SPACE_DIR

    @property
    def space_file(self) -> Path:
        return self.space_dir / SPACE_FILE


def _check_new_profile(home: Path) -> None:
    if profiles.exists(home):
        existing = profiles.load(home)
        raise UsageError(
            f"This device already has a companion profile in {home} "
            f"(shared folder {existing.shared_folder}).",
            "Use another COMPANION_HOME for a second profile.",
        )


def _clear_leftovers(home: Path) -> None:
    """Remove what an interrupted init or join left behind (never a finished profile)."""
    for name in ("replica", "outbox", profiles.SPACE_COPY):
        target = home / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def _folder(folder: str | Path) -> SpaceLocation:
    path = Path(folder).expanduser().absolute()
    if not path.is_dir():
        raise UsageError(
            f"The folder {path} doesn't exist.",
            "Create it, or share it with your sync tool first, then try again.",
        )
    return SpaceLocation(path)


def _locked(method):
    """Run a Session method holding the profile's lock (it is re-entrant)."""

    @wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)

    return wrapper


class Session:
    """An unlocked space on this device."""

    def __init__(
        self,
        profile: profiles.Profile,
        header: SpaceHeader,
        data_key: bytes,
        now: Callable[[], int] = wall_ms,
    ) -> None:
        self.profile = profile
        self.header = header
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
        self.clock = Clock(profile.device_id)
        self.lock = ProfileLock(profile.home / profiles.LOCK_FILE)

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def unlock(
        cls,
        home: Path,
        passphrase: str,
        now: Callable[[], int] = wall_ms,
        derivation: crypto.BackgroundDerivation | None = None,
    ) -> Session:
        """Open this device's space. `derivation` is a key derivation started earlier."""
        profile = profiles.load(home)
        header = load_header(profile)
        kek = None
        if derivation is None:
            derivation = early.take(home, passphrase)
        if derivation is not None and derivation.params == header.kdf:
            kek = derivation.result()
        data_key = header.unlock(passphrase, kek)
        session = cls(profile, header, data_key, now)
        session._open()
        return session

    @classmethod
    def open_remembered(cls, home: Path, now: Callable[[], int] = wall_ms) -> Session | None:
        """Open with the data key remembered on this device, or None if there is none."""
        from companion.store import keychain
        from companion.store.storage import StorageDamaged

        profile = profiles.load(home)
        data_key = keychain.recall(profile)
        if data_key is None:
            return None
        header = load_header(profile)
        session = cls(profile, header, data_key, now)
        try:
            session._open()
        except StorageDamaged:
            return None  # not this space's key (any more): ask for the passphrase
        return session

    @classmethod
    def open_with_key(
        cls, home: Path, data_key: bytes, now: Callable[[], int] = wall_ms
    ) -> Session:
        """Open with the data key itself (found moments ago by this app's own helper)."""
        profile = profiles.load(home)
        session = cls(profile, load_header(profile), data_key, now)
        session._open()
        return session

    @property
    def data_key(self) -> bytes:
        """The space's data key: only ever handed to this device's own processes."""
        return self._data_key

    def remember(self, *, allow_file: bool = False) -> str:
        from companion.store import keychain

        return keychain.remember(self.profile, self._data_key, allow_file=allow_file)

    def forget(self) -> None:
        from companion.store import keychain

        keychain.forget(self.profile)

    @_locked
    def _open(self) -> None:
        """Bring the replica up to date with the outbox (and the folder, if it is new)."""
        if not self.replica.exists():
            self.replica.create_dirs()
            self.replica.set_meta(created=self.now())
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
            self.replica.apply(ops)
        if self.header.to_bytes() != (
            self.profile.space_copy.read_bytes() if self.profile.space_copy.exists() else b""
        ):
            spacefile.save(self.header, self.profile.space_copy)

    # -- who is who -------------------------------------------------------------------------

    @property
    def me(self) -> str:
        return self.profile.partner_id

    def partners(self) -> dict[str, str]:
        """Partner id → name, in the order they joined."""
        found = [r for r in self.replica.records(CORE) if r.type == m.PARTNER and not r.deleted]
        found.sort(key=lambda r: r.created)
        return {r.id: r.get("name", "?") for r in found}

    @property
    def partner(self) -> str | None:
        return next((pid for pid in self.partners() if pid != self.me), None)

    def name_of(self, partner_id: str | None) -> str:
        if partner_id is None:
            return "your partner"
        return self.partners().get(partner_id, "someone")

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.now() / 1000).date()

    # -- writing ----------------------------------------------------------------------------

    def op(self, kind: str, record_id: str, record_type: str, fields: dict[str, Any] | None = None):
        return make_op(
            kind,
            record_id,
            record_type,
            self.clock.tick(self.now()),
            self.profile.device_id,
            self.me,
            fields,
        )

    @_locked
    def commit(self, ops: list[dict[str, Any]], *, flush: bool = True) -> list[Record]:
        """Make changes durable, then merge them into the replica.

        With the shared folder reachable, the new segment itself is the durable record (the
        replica is rebuilt from it after a crash); otherwise the outbox is, and the changes
        wait there until the folder is back.
        """
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
        return changed

    @_locked
    def close(self) -> None:
        """Write down this device's bookkeeping; call when done with the session."""
        self.replica.save_meta()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @_locked
    def flush(self) -> int:
        return engine.export_pending(self.replica, self.journal, self.clock)

    @_locked
    def sync(self) -> engine.SyncResult:
        result = engine.sync_once(self.replica, self.journal, self.clock, self.now())
        if self.release_checkin_keys():
            result.exported += self.flush()
        return result

    @_locked
    def clear_problems(self) -> int:
        """Forget the problems sync noted, once a person has dealt with them.

        Damage that is still there is found again on the next pass; a fork or a shared id was
        a one-time event, and is only reported again if it happens again.
        """
        problems = self.replica.meta("problems", [])
        self.replica.set_meta(problems=[])
        return len(problems)

    def new_id(self) -> str:
        return make_id(self.now())

    # -- reading ----------------------------------------------------------------------------

    def core(self, record_type: str, *, include_deleted: bool = False) -> list[Record]:
        found = [r for r in self.replica.records(CORE) if r.type == record_type]
        if not include_deleted:
            found = [r for r in found if not r.deleted]
        return sorted(found, key=lambda r: r.created)

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

    def recent_partitions(self, day: dt.date, days_back: int = 7) -> list[str]:
        first = month_partition(day - dt.timedelta(days=days_back))
        last = month_partition(day)
        return [p for p in self.replica.partitions() if first <= p <= last]

    # -- care menu, actions, ticks ----------------------------------------------------------

    def add_need(self, text: str) -> Record:
        rid = self.new_id()
        [rec] = self.commit([self.op("create", rid, m.NEED, {"text": m.clean_text(text, "need")})])
        return rec

    def add_care(
        self,
        title: str,
        cadence: str = m.DAILY,
        need_ref: str | None = None,
        days: list[int] | None = None,
    ) -> Record:
        title = m.clean_text(title, "care action", limit=200)
        cadence, parsed_days = m.parse_cadence(cadence)
        days = days if days is not None else parsed_days
        need = None
        if need_ref:
            need = resolve(need_ref, self.core(m.NEED), lambda r: r.get("text", ""), "need")
        receiver = need.author if need else self.partner
        fields = {
            "title": title,
            "cadence": cadence,
            "days": days,
            "need": need.id if need else None,
            "for": receiver,
            "retired": False,
        }
        rid = self.new_id()
        [rec] = self.commit([self.op("create", rid, m.CARE, fields)])
        return rec

    def my_actions(self) -> list[Record]:
        return [a for a in self.core(m.CARE) if a.author == self.me and not a.get("retired")]

    def resolve_action(self, ref: str) -> Record:
        mine = self.my_actions()
        try:
            return resolve(ref, mine, lambda r: r.get("title", ""), "care action")
        except UsageError:
            theirs = [a for a in self.core(m.CARE) if a.author != self.me]
            if any(_matches(ref, a, lambda r: r.get("title", "")) for a in theirs):
                raise UsageError(
                    f"'{ref}' is one of {self.name_of(self.partner)}'s care actions.",
                    "Each of you ticks your own; `companion list care` shows yours.",
                ) from None
            raise

    def tick(
        self,
        action_ref: str,
        day: dt.date | None = None,
        *,
        skip: bool = False,
        undo: bool = False,
    ) -> Record:
        action = self.resolve_action(action_ref)
        day = day or self.today()
        if day > self.today():
            raise UsageError(
                f"{day.isoformat()} hasn't happened yet.", "Tick today or an earlier day."
            )
        rid = tick_id(action.id, day)
        existing = self.replica.get(rid, m.TICK)
        if undo:
            if existing is None or existing.deleted:
                raise UsageError(f"'{action.get('title')}' wasn't ticked on {day.isoformat()}.")
            [rec] = self.commit([self.op("delete", rid, m.TICK)])
            return rec
        status = m.SKIPPED if skip else m.DONE
        fields = {"action": action.id, "date": day.isoformat(), "status": status}
        self.commit([self.op("create", rid, m.TICK, fields)])
        return self.replica.get(rid, m.TICK)

    def due_today(self, day: dt.date | None = None) -> list[rules.DueItem]:
        day = day or self.today()
        ticks = self.dated([m.TICK], self.recent_partitions(day), include_deleted=True)
        return rules.due_today(self.core(m.CARE), ticks, self.me, day)

    # -- gratitude --------------------------------------------------------------------------

    def add_gratitude(self, text: str) -> Record:
        if self.partner is None:
            raise UsageError(
                "Your partner hasn't joined this space yet, so there is no one to thank here.",
                "Once they run `companion join`, notes reach them.",
            )
        fields = {
            "text": m.clean_text(text, "note"),
            "to": self.partner,
            "read": False,
            "landed": False,
        }
        [rec] = self.commit([self.op("create", self.new_id(), m.GRATITUDE, fields)])
        return rec

    def notes(self) -> list[Record]:
        return self.dated([m.GRATITUDE])

    def note(self, note_id: str) -> Record | None:
        record = self.replica.get(note_id, m.GRATITUDE)
        return None if record is None or record.deleted else record

    def resolve_note(self, ref: str, *, to_me: bool = True) -> Record:
        exact = self.note(ref) if is_valid_id(ref) else None
        if exact is not None and (not to_me or exact.get("to") == self.me):
            return exact
        notes = [n for n in self.notes() if not to_me or n.get("to") == self.me]
        return resolve(ref, notes, lambda r: r.get("text", ""), "note")

    def mark_notes(self, notes: Iterable[Record], **fields: Any) -> None:
        ops = [
            self.op("set", n.id, m.GRATITUDE, fields)
            for n in notes
            if any(n.get(k) != v for k, v in fields.items())
        ]
        if ops:
            self.commit(ops)

    # -- check-ins --------------------------------------------------------------------------

    @_locked
    def checkin(self, week: str | None = None, **answers: Any) -> Record:
        """Save my check-in for a week, sealed until my partner's is in (or I unseal it)."""
        week = m.parse_week(week) if week else iso_week(self.today())
        clean: dict[str, Any] = {}
        for name in ("supported", "attention"):
            clean[name] = m.clean_text(answers.get(name), _CHECKIN_LABELS[name])
        for name in ("limits", "victory", "request"):
            if answers.get(name):
                clean[name] = m.clean_text(answers[name], _CHECKIN_LABELS[name])
        if answers.get("energy") is not None:
            clean["energy"] = m.parse_energy(answers["energy"])
        rid = checkin_id(self.me, week)
        key = crypto.new_data_key()
        sealed = crypto.b64e(
            crypto.seal(key, json.dumps(clean).encode("utf-8"), self._checkin_aad(rid))
        )
        # The key is kept (encrypted, on this device only) before the sealed answers exist.
        keys = self.replica.meta("checkin_keys", {}, partition=KEYS)
        keys[rid] = {"for": _tag(sealed), "k": crypto.b64e(key)}
        self.replica.set_meta(checkin_keys=keys, partition=KEYS)
        existing = self.replica.get(rid, m.CHECKIN)
        kind = "set" if existing is not None and not existing.deleted else "create"
        fields = {"week": week, "sealed": sealed}
        if kind == "create":
            fields["key"] = None
        self.commit([self.op(kind, rid, m.CHECKIN, fields)], flush=False)
        self.release_checkin_keys()
        self.flush()
        return self.open_checkin(self.replica.get(rid, m.CHECKIN))

    def _checkin_aad(self, record_id: str) -> bytes:
        return f"companion checkin v1|{self.profile.space_id}|{record_id}".encode()

    @_locked
    def release_checkin_keys(self, *, early: str | None = None) -> list[str]:
        """Publish the key of each of my sealed check-ins whose time has come.

        That is when my partner's own check-in for the same week exists, when it was already
        released before an edit, or (`early`, a record id) when I choose to unseal it now.
        """
        keys: dict[str, dict[str, str]] = self.replica.meta("checkin_keys", {}, partition=KEYS)
        if not keys:
            return []
        partner = self.partner
        ops, done = [], []
        for rid, entry in keys.items():
            record = self.replica.get(rid, m.CHECKIN)
            if record is None or record.author != self.me or record.deleted:
                continue
            if record.get("sealed") is None or _tag(record["sealed"]) != entry["for"]:
                done.append(rid)  # an edit from another of my devices replaced this one
                continue
            published = record.get("key")
            if published and published.get("for") == entry["for"]:
                done.append(rid)
                continue
            if published or rid == early or self._partner_checked_in(partner, record["week"]):
                ops.append(self.op("set", rid, m.CHECKIN, {"key": entry}))
                done.append(rid)
        if ops:
            self.commit(ops, flush=False)
        if done:
            for rid in done:
                keys.pop(rid, None)
            self.replica.set_meta(checkin_keys=keys, partition=KEYS)
        return [op["id"] for op in ops]

    @_locked
    def unseal_checkin(self, week: str | None = None) -> Record:
        """Show my partner my check-in now, before theirs is in."""
        week = m.parse_week(week) if week else iso_week(self.today())
        rid = checkin_id(self.me, week)
        record = self.replica.get(rid, m.CHECKIN)
        if record is None or record.deleted:
            raise UsageError(f"You have no check-in for {week} yet.")
        if rid not in self.release_checkin_keys(early=rid) and not record.get("key"):
            raise UsageError(
                "This check-in was written on another of your devices, which holds its key.",
                "Unseal it there; it opens by itself once your partner's check-in is in.",
            )
        self.flush()
        return self.open_checkin(self.replica.get(rid, m.CHECKIN))

    def open_checkin(self, record: Record) -> Record:
        """The check-in with its answers if this device may read them, else marked sealed."""
        sealed = record.get("sealed")
        if sealed is None:
            return record
        answers = None
        published = record.get("key")
        entry = None
        if published and published.get("for") == _tag(sealed):
            entry = published
        elif record.author == self.me:
            local = self.replica.meta("checkin_keys", {}, partition=KEYS).get(record.id)
            if local and local.get("for") == _tag(sealed):
                entry = local
        if entry is not None:
            try:
                plain = crypto.open_sealed(
                    crypto.b64d(entry["k"]), crypto.b64d(sealed), self._checkin_aad(record.id)
                )
                answers = json.loads(plain)
            except (crypto.OpenFailed, ValueError):
                answers = None
        fields = {"week": record.get("week")}
        if answers is None:
            fields["sealed"] = True
        else:
            fields.update(answers)
            fields["sealed"] = False
        return replace(record, fields=fields)

    def checkins(self) -> list[Record]:
        return [self.open_checkin(r) for r in self.dated([m.CHECKIN])]

    def _checkin_of(self, partner: str | None, week: str) -> Record | None:
        if partner is None:
            return None
        record = self.replica.get(checkin_id(partner, week), m.CHECKIN)
        return None if record is None or record.deleted else record

    def _partner_checked_in(self, partner: str | None, week: str) -> bool:
        return self._checkin_of(partner, week) is not None

    def checkin_state(self, week: str | None = None) -> rules.CheckinState:
        """Where a week's check-in stands (looked up by id: one month file, not all)."""
        week = week or iso_week(self.today())
        mine, theirs = self._checkin_of(self.me, week), self._checkin_of(self.partner, week)
        return rules.CheckinState(
            week,
            None if mine is None else self.open_checkin(mine),
            None if theirs is None else self.open_checkin(theirs),
        )

    def review(self, action_ref: str, verdict: str, week: str | None = None) -> Record:
        """The receiver's word on one of the partner's care actions for a week."""
        if verdict not in m.REVIEW_VERDICTS:
            raise UsageError(
                f"'{verdict}' is not a review.", "Use one of: " + ", ".join(m.REVIEW_VERDICTS)
            )
        theirs = [a for a in self.core(m.CARE) if a.get("for") == self.me and a.author != self.me]
        action = resolve(action_ref, theirs, lambda r: r.get("title", ""), "care action for you")
        week = m.parse_week(week) if week else iso_week(self.today() - dt.timedelta(days=7))
        rid = review_id(action.id, week)
        fields = {"action": action.id, "week": week, "verdict": verdict}
        self.commit([self.op("create", rid, m.REVIEW, fields)])
        return self.replica.get(rid, m.REVIEW)

    # -- agreements -------------------------------------------------------------------------

    def propose_agreement(self, text: str) -> Record:
        fields = {
            "text": m.clean_text(text, "agreement"),
            "status": m.PROPOSED,
            "accepted_by": None,
        }
        [rec] = self.commit([self.op("create", self.new_id(), m.AGREEMENT, fields)])
        return rec

    def accept_agreement(self, ref: str) -> Record:
        agreement = resolve(ref, self.core(m.AGREEMENT), lambda r: r.get("text", ""), "agreement")
        if agreement.get("status") != m.PROPOSED:
            raise UsageError(f"That agreement is already {agreement.get('status')}.")
        if agreement.author == self.me:
            raise UsageError(
                "You proposed this agreement; it is your partner's to accept.",
            )
        self.commit(
            [
                self.op(
                    "set", agreement.id, m.AGREEMENT, {"status": m.ACCEPTED, "accepted_by": self.me}
                )
            ]
        )
        return self.replica.get(agreement.id, m.AGREEMENT)

    def retire(self, kind: str, ref: str) -> Record:
        record_type, label = _RETIRABLE[kind]
        candidates = [
            r
            for r in self.core(record_type)
            if not r.get("retired") and r.get("status") != m.RETIRED
        ]
        if record_type in (m.NEED, m.CARE):
            candidates = [r for r in candidates if r.author == self.me]
        record = resolve(ref, candidates, _title, label)
        fields = {"status": m.RETIRED} if record_type == m.AGREEMENT else {"retired": True}
        self.commit([self.op("set", record.id, record_type, fields)])
        return self.replica.get(record.id, record_type)

    # -- names, preferences, what I have seen -----------------------------------------------

    def rename(self, name: str) -> Record:
        """Change how I am called in our space (both partners see it)."""
        self.commit([self.op("set", self.me, m.PARTNER, {"name": m.clean_name(name)})])
        return self.replica.get(self.me, m.PARTNER)

    def set_checkin_day(self, weekday: int) -> None:
        """The day of the week I like to do the check-in (0 = Monday), shared with my partner."""
        if not 0 <= weekday <= 6:
            raise UsageError("A check-in day is one of Monday to Sunday.")
        self.commit([self.op("set", self.me, m.PARTNER, {"checkin_day": weekday})])

    def checkin_day(self) -> int:
        me = self.replica.get(self.me, m.PARTNER)
        return int(me.get("checkin_day", 6)) if me else 6

    def preference(self, name: str, default: Any = None) -> Any:
        """A setting of this device only (theme and the like); never synced."""
        return self.replica.meta("preferences", {}).get(name, default)

    @_locked
    def set_preference(self, name: str, value: Any) -> None:
        prefs = dict(self.replica.meta("preferences", {}))
        prefs[name] = value
        self.replica.set_meta(preferences=prefs)

    def seen_until(self) -> str:
        """The clock stamp up to which I have looked at what arrived, on this device."""
        return self.replica.meta("seen_until", "")

    @_locked
    def mark_seen(self, stamp: str | None = None) -> None:
        self.replica.set_meta(defer=True, seen_until=stamp or self.clock.last)

    # -- passphrase -------------------------------------------------------------------------

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


_CHECKIN_LABELS = {
    "supported": "moment you felt supported",
    "attention": "area needing more attention",
    "limits": "limits to respect",
    "victory": "small victory",
    "request": "request for next week",
}
_RETIRABLE = {
    "need": (m.NEED, "need"),
    "care": (m.CARE, "care action"),
    "agreement": (m.AGREEMENT, "agreement"),
}


def _tag(sealed: str) -> str:
    """Which sealed answers a key belongs to."""
    return hashlib.sha256(sealed.encode("ascii")).hexdigest()[:16]


def _title(record: Record) -> str:
    return record.get("title") or record.get("text") or record.get("name") or ""


def _matches(ref: str, record: Record, title: Callable[[Record], str]) -> bool:
    needle = ref.strip().lower()
    return record.id.lower().startswith(needle) or needle in title(record).lower()


def resolve(
    ref: str, candidates: list[Record], title: Callable[[Record], str], what: str
) -> Record:
    """An id prefix or a unique, case-insensitive part of the title; else a helpful error."""
    needle = (ref or "").strip().lower()
    if not needle:
        raise UsageError(f"Say which {what}: an id prefix or a few words of it.")
    by_id = [r for r in candidates if r.id.lower().startswith(needle)]
    if len(by_id) == 1:
        return by_id[0]
    exact = [r for r in candidates if title(r).strip().lower() == needle]
    if len(exact) == 1:
        return exact[0]
    found = by_id or [r for r in candidates if needle in title(r).lower()]
    if len(found) == 1:
        return found[0]
    if not found:
        listing = "\n".join(f"  {r.id[:8]}  {title(r)}" for r in candidates[:20])
        raise UsageError(
            f"No {what} matches '{ref}'.",
            f"These are the candidates:\n{listing}" if candidates else f"There is no {what} yet.",
        )
    listing = "\n".join(f"  {r.id[:8]}  {title(r)}" for r in found[:20])
    raise UsageError(
        f"'{ref}' matches {len(found)} of them.",
        f"Say which with more words or an id prefix:\n{listing}",
    )


# -- setting up -----------------------------------------------------------------------------


def load_header(profile: profiles.Profile) -> SpaceHeader:
    """The shared space.json; the profile's copy only when the folder is unreachable."""
    shared = profile.space_dir / SPACE_FILE
    if shared.exists() or profile.space_dir.exists():
        try:
            header = spacefile.load(shared)
        except DataError as exc:
            if profile.space_copy.exists():
                exc.hint = (
                    f"{exc.hint or ''}\nThis device keeps a copy at {profile.space_copy}: "
                    f"copy it to {shared} to repair the space."
                ).strip()
            raise
    elif profile.space_copy.exists():
        header = spacefile.load(profile.space_copy)
    else:
        raise DataError(
            f"The shared folder {profile.shared_folder} isn't there, and this device has no "
            "copy of the space's lock.",
            "Mount or sync the shared folder, then try again.",
        )
    if header.space_id != profile.space_id:
        raise DataError(
            f"The space in {profile.shared_folder} is not the one this device belongs to.",
            "Point this profile at the right folder, or join that space with a new profile.",
        )
    if profile.space_copy.exists():
        try:
            copy = spacefile.load(profile.space_copy)
        except DataError:
            copy = None  # a damaged copy is replaced by the good shared one on open
        if copy is not None and copy.key_version > header.key_version:
            raise DataError(
                f"The space file in {profile.shared_folder} is older than the one this device "
                f"last used (lock version {header.key_version}, not {copy.key_version}): an "
                "old copy may have been put back, and with it an old passphrase.",
                f"If nobody restored a backup on purpose, copy {profile.space_copy} over "
                f"{shared} to put the newer one back.",
            )
    return header


def init_space(
    home: Path, folder: str | Path, name: str, passphrase: str, now: Callable[[], int] = wall_ms
) -> Session:
    name = m.clean_name(name)
    location = _folder(folder)
    if location.space_file.exists():
        raise UsageError(
            f"{location.folder} already holds a companion space.",
            f"To use it from this device, run `companion join {location.folder} --name NAME`.",
        )
    check_passphrase(passphrase)
    _check_new_profile(home)
    header, data_key = spacefile.create(passphrase, spacefile.new_space_id())
    device_id = new_device_id()
    profile = profiles.Profile(
        home=home,
        device_id=device_id,
        partner_id=new_device_id(),
        space_id=header.space_id,
        shared_folder=location.folder,
    )
    ensure_private_dir(home)
    _clear_leftovers(home)
    session = Session(profile, header, data_key, now)
    session.replica.create_dirs()
    spacefile.save(header, profile.space_copy)
    ensure_private_dir(location.space_dir)
    ensure_private_dir(session.journal.devices_dir)
    ensure_private_dir(session.journal.own_dir)
    spacefile.save(header, location.space_file)
    profile.save()
    session.commit(
        [
            session.op("create", profile.partner_id, m.PARTNER, {"name": name}),
            session.op("create", device_id, m.DEVICE, _device_fields(profile)),
        ]
    )
    return session


def join_space(
    home: Path,
    folder: str | Path,
    name: str,
    passphrase: str,
    now: Callable[[], int] = wall_ms,
    progress: Callable[[float], None] | None = None,
) -> Session:
    name = m.clean_name(name)
    location = _folder(folder)
    if not location.space_file.exists():
        raise UsageError(
            f"There is no companion space in {location.folder}.",
            "Check that your sync tool has finished bringing the folder over, or create a "
            f"space there with `companion init {location.folder} --name NAME`.",
        )
    _check_new_profile(home)
    header = spacefile.load(location.space_file)
    data_key = header.unlock(passphrase)
    created_home = not home.exists()
    ensure_private_dir(home)
    _clear_leftovers(home)
    device_id = new_device_id()
    staging = profiles.Profile(
        home=home,
        device_id=device_id,
        partner_id="",
        space_id=header.space_id,
        shared_folder=location.folder,
    )
    session = Session(staging, header, data_key, now)
    try:
        session.replica.create_dirs()
        engine.import_new(session.replica, session.journal, session.clock, now(), progress)
        known = session.partners()
        match = [pid for pid, known_name in known.items() if known_name.lower() == name.lower()]
        if match:
            partner_id = match[0]
        elif len(known) >= 2:
            names = " and ".join(known.values())
            raise UsageError(
                f"This space already belongs to {names}; a space is for two people.",
                "If you are one of them, join with that name to add this device.",
            )
        else:
            partner_id = new_device_id()
    except BaseException:
        _clear_leftovers(home)
        if created_home:
            shutil.rmtree(home, ignore_errors=True)
        raise
    profile = profiles.Profile(
        home=home,
        device_id=device_id,
        partner_id=partner_id,
        space_id=header.space_id,
        shared_folder=location.folder,
    )
    session.profile = profile
    spacefile.save(header, profile.space_copy)
    ensure_private_dir(session.journal.own_dir)
    profile.save()
    ops = []
    if not match:
        ops.append(session.op("create", partner_id, m.PARTNER, {"name": name}))
    ops.append(session.op("create", device_id, m.DEVICE, _device_fields(profile)))
    session.commit(ops)
    return session


def start_unlock(home: Path, passphrase: str) -> crypto.BackgroundDerivation | None:
    """Begin deriving the passphrase key now, so start-up and the KDF overlap."""
    started = early.take(home, passphrase)
    if started is not None:
        return started
    try:
        profile = profiles.load(home)
        header = load_header(profile)
    except (CompanionError, OSError):  # reported by the real unlock later
        return None
    return crypto.BackgroundDerivation(passphrase, header.kdf)


def rebuild_replica(session: Session) -> Session:
    """Set the local copy aside (never deleted) and rebuild it from the folder and outbox."""
    profile = session.profile
    if not session.journal.available():
        raise UsageError(
            "The shared folder isn't reachable, so there is nothing to rebuild from.",
            f"Make sure {profile.shared_folder} is there and synced, then try again.",
        )
    if profile.replica_dir.exists():
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = profile.home / f"replica.set-aside-{stamp}-{secrets.token_hex(3)}"
        profile.replica_dir.rename(aside)
    fresh = Session(profile, session.header, session._data_key, session.now)
    fresh._open()
    return fresh


def _device_fields(profile: profiles.Profile) -> dict[str, Any]:
    return {"partner": profile.partner_id, "label": socket.gethostname()[:60]}


def write_export(path: Path, text: str) -> None:
    atomic_write(path, text.encode("utf-8"), mode=0o600)
