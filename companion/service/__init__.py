"""What the CLI and the TUI call: set up, unlock, change and read a couple's space.

`Session` (session.py) is the core (core.py: opening, the one path of every change, who is
who, today) plus one part per practice: care.py, notes.py, checkins.py, reviews.py,
agreements.py, and settings.py (names, the check-in day, this device's preferences). A
space is opened one way, `open_space` with a key source (opening.py); its life cycle (init,
join, rebuild, export) is in space.py; lookup.py finds what a person means.
"""

from companion.service.clock import created_at, iso_from_ms, wall_ms, when_said
from companion.service.header import MIN_PASSPHRASE, check_passphrase, load_header
from companion.service.lookup import resolve
from companion.service.opening import (
    DataKey,
    KeySource,
    NotRemembered,
    Passphrase,
    Remembered,
    data_key_for,
    start_unlock,
    unlock,
)
from companion.service.session import Session, open_space
from companion.service.skew import ClockSkew
from companion.service.space import (
    SPACE_DIR,
    init_space,
    join_space,
    new_device_id,
    rebuild_replica,
    rebuild_space,
    write_export,
)
from companion.store.crypto import BackgroundDerivation
from companion.sync.engine import SyncResult
from companion.sync.problems import Problem

__all__ = [
    "MIN_PASSPHRASE",
    "SPACE_DIR",
    "BackgroundDerivation",
    "ClockSkew",
    "DataKey",
    "KeySource",
    "NotRemembered",
    "Passphrase",
    "Problem",
    "Remembered",
    "Session",
    "SyncResult",
    "check_passphrase",
    "created_at",
    "data_key_for",
    "init_space",
    "iso_from_ms",
    "join_space",
    "load_header",
    "new_device_id",
    "open_space",
    "rebuild_replica",
    "rebuild_space",
    "resolve",
    "start_unlock",
    "unlock",
    "wall_ms",
    "when_said",
    "write_export",
]
