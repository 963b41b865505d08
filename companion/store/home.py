"""Where this device's profile lives, and what can be known of it before anything loads.

Only `os` and `pathlib`: `companion` asks these first thing, before it starts the helper that
opens the space (tui/prefetch.py), so that the helper starts as early as it can.
"""

from __future__ import annotations

import os
from pathlib import Path

PROFILE_FILE = "profile.json"
# The passphrase, for scripts and services (every command and the app read it).
PASSPHRASE_ENV = "COMPANION_PASSPHRASE"
# 'Remember on this device' (store/keychain.py): a mark that the OS keychain holds the key,
# or the key file itself.
KEYCHAIN_MARK = "remembered.keychain"
KEY_FILE = "remembered.key"


def profile_home() -> Path:
    """Where this device's profile lives: $COMPANION_HOME, else the platform's data folder."""
    env = os.environ.get("COMPANION_HOME")
    if env:
        return Path(env).expanduser().absolute()
    import platformdirs

    return Path(platformdirs.user_data_dir("companion", appauthor=False))


def exists(home: Path) -> bool:
    return (home / PROFILE_FILE).exists()


def remembered_in(home: Path) -> str | None:
    """'file' or 'keychain' if the profile in `home` remembers its key, else None."""
    if (home / KEY_FILE).exists():
        return "file"
    if (home / KEYCHAIN_MARK).exists():
        return "keychain"
    return None
