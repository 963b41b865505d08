"""Start deriving the passphrase key at the very start of a command, before the rest loads.

The key derivation takes a large part of a short command's time; run in a thread (it releases
the GIL) it overlaps with importing and setting up everything else. Opening the space later
(service/opening.py) takes the running derivation over if its parameters match the space's.
"""

from __future__ import annotations

import json
from pathlib import Path

from companion.errors import CompanionError
from companion.store import crypto
from companion.store import profile as profiles
from companion.store.spacefile import SPACE_FILE

_pending: dict[tuple[str, str], crypto.BackgroundDerivation] = {}


def begin(home: Path, passphrase: str) -> None:
    """Best effort: any problem is left for the real unlock to report."""
    try:
        profile = profiles.load(home)
        shared = profile.space_dir / SPACE_FILE
        source = shared if shared.exists() else profile.space_copy
        params = json.loads(source.read_text("utf-8"))["kdf"]
        if not isinstance(params, dict):
            return
    except (CompanionError, OSError, ValueError, KeyError, TypeError):
        return
    _pending[(str(home), passphrase)] = crypto.BackgroundDerivation(passphrase, params)


def take(home: Path, passphrase: str) -> crypto.BackgroundDerivation | None:
    return _pending.pop((str(home), passphrase), None)
