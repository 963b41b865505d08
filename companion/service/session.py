"""The Session the command line and the app use: the core plus each part of the practice."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from companion.service.agreements import AgreementsPart
from companion.service.care import CarePart
from companion.service.checkins import CheckinsPart
from companion.service.clock import wall_ms
from companion.service.core import locked
from companion.service.devices import DevicesPart
from companion.service.keys import KeysPart
from companion.service.notes import NotesPart
from companion.service.notifying import NotifyPart
from companion.service.opening import (
    DataKey,
    KeySource,
    NotRemembered,
    Passphrase,
    Remembered,
    unlock,
)
from companion.service.reviews import ReviewsPart
from companion.service.settings import SettingsPart
from companion.service.skew import SkewPart
from companion.service.support import MomentsPart
from companion.service.talk import TalkPart
from companion.store import crypto
from companion.sync import engine


class Session(
    CarePart,
    NotesPart,
    TalkPart,
    CheckinsPart,
    ReviewsPart,
    AgreementsPart,
    SettingsPart,
    SkewPart,
    DevicesPart,
    KeysPart,
    MomentsPart,
    NotifyPart,
):
    """An unlocked space on this device."""

    @locked
    def sync(self) -> engine.SyncResult:
        """One pass: ours out, theirs in; then any check-in key whose time has come."""
        result = engine.sync_once(self.replica, self.journal, self.clock, self.now())
        if result.incoming_ops:
            self.note_unopened_checkins(result.incoming_ops)
        self.check_earlier_checkins()
        if self.release_checkin_keys():
            result.exported += self.flush()
        return result

    def copy_dir(self) -> Path:
        """Where this device's copy of the space lives: a shell command's change rewrites it."""
        return self.profile.replica_dir

    def copy_stamp(self) -> tuple[tuple[str, int, int], ...]:
        """This device's copy as it stands on disk (each file's name, time and size): another
        process's change (a shell command on this device) shows as a different stamp."""
        found = []
        try:
            with os.scandir(self.profile.replica_dir) as entries:
                for entry in entries:
                    with contextlib.suppress(OSError):
                        st = entry.stat()
                        found.append((entry.name, st.st_mtime_ns, st.st_size))
        except OSError:
            pass
        return tuple(sorted(found))

    @classmethod
    def unlock(
        cls,
        home: Path,
        passphrase: str,
        now: Callable[[], int] = wall_ms,
        derivation: crypto.BackgroundDerivation | None = None,
    ) -> Session:
        """Open with the passphrase. `derivation` is a key derivation started earlier."""
        return open_space(home, Passphrase(passphrase, derivation), now)

    @classmethod
    def open_remembered(cls, home: Path, now: Callable[[], int] = wall_ms) -> Session | None:
        """Open with the data key remembered on this device, or None if there is none."""
        try:
            return open_space(home, Remembered(), now)
        except NotRemembered:
            return None

    @classmethod
    def open_with_key(
        cls, home: Path, data_key: bytes, now: Callable[[], int] = wall_ms
    ) -> Session:
        """Open with the data key itself (found moments ago by this app's own helper)."""
        return open_space(home, DataKey(data_key), now)


def open_space(home: Path, source: KeySource, now: Callable[[], int] = wall_ms) -> Session:
    """Open this device's space: the one way the command line, the app and its helper do.

    NotRemembered when a remembered key is asked for and this device has none, or one that
    no longer opens the space (the passphrase changed since).
    """
    from companion.store.storage import StorageDamaged

    profile, header, data_key = unlock(home, source)
    session = Session(profile, header, data_key, now)
    session.header_typed = isinstance(source, Passphrase)
    try:
        session._open()
    except StorageDamaged:
        if isinstance(source, Remembered):
            raise NotRemembered() from None
        raise
    return session
