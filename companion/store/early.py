"""Start deriving the passphrase key at the very start of a command, before the rest loads.

The key derivation takes a large part of a short command's time; run in a thread (it releases
the GIL) it overlaps with importing and setting up everything else. Opening the space later
(service/opening.py) takes the running derivation over if its parameters match the space's.
"""

from __future__ import annotations

import atexit
import json
from pathlib import Path

from companion.errors import CompanionError
from companion.store import crypto, spacefile
from companion.store import profile as profiles
from companion.store.fsutil import what_is
from companion.store.spacefile import SPACE_FILE

_pending: dict[tuple[str, str], crypto.BackgroundDerivation] = {}


def begin(home: Path, passphrase: str) -> None:
    """Best effort: any problem is left for the real unlock to report. Only parameters that
    pass the space file's own checks are run (a planted file could ask for gigabytes)."""
    try:
        profile = profiles.load(home)
        shared = profile.space_dir / SPACE_FILE
        source = shared if what_is(shared) == "a file" else profile.space_copy
        data = spacefile.read(source)
        if data is None:
            return
        params = json.loads(data)["kdf"]
        if not spacefile.kdf_ok(params):
            return
    except (CompanionError, OSError, ValueError, KeyError, TypeError, RecursionError):
        return
    if not _pending:
        atexit.register(cancel_all)
    _pending[(str(home), passphrase)] = crypto.BackgroundDerivation(passphrase, params)


def take(home: Path, passphrase: str) -> crypto.BackgroundDerivation | None:
    return _pending.pop((str(home), passphrase), None)


def cancel_all() -> None:
    """Stop derivations nobody took (the command ended early): no helper outlives it."""
    while _pending:
        _, derivation = _pending.popitem()
        derivation.cancel()
