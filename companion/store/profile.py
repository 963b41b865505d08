"""The profile: this device's own folder (never synced) and the little it says in plaintext.

`profile.json` names the device, the partner it belongs to, the space and the shared folder:
ids and a path, nothing personal. Everything else in the profile is encrypted.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from companion.errors import DataError, UsageError
from companion.store.fsutil import atomic_write, ensure_private_dir

# Part of this module's interface; the `as` says so to type checkers.
from companion.store.home import KEY_FILE as KEY_FILE
from companion.store.home import KEYCHAIN_MARK as KEYCHAIN_MARK
from companion.store.home import PROFILE_FILE as PROFILE_FILE
from companion.store.home import exists as exists
from companion.store.home import profile_home as profile_home
from companion.store.home import remembered_in as remembered_in

SPACE_COPY = "space.json"
LOCK_FILE = "lock"
FORMAT = 1


@dataclass(frozen=True)
class Profile:
    home: Path
    device_id: str
    partner_id: str
    space_id: str
    shared_folder: Path

    @property
    def space_dir(self) -> Path:
        return self.shared_folder / "companion"

    @property
    def replica_dir(self) -> Path:
        return self.home / "replica"

    @property
    def outbox_dir(self) -> Path:
        return self.home / "outbox"

    @property
    def space_copy(self) -> Path:
        return self.home / SPACE_COPY

    def save(self) -> None:
        ensure_private_dir(self.home)
        body = asdict(self)
        body.pop("home")
        body["shared_folder"] = str(self.shared_folder)
        body["format"] = FORMAT
        atomic_write(self.home / PROFILE_FILE, (json.dumps(body, indent=2) + "\n").encode())


def load(home: Path) -> Profile:
    path = home / PROFILE_FILE
    try:
        body = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"There is no companion profile in {home}.",
            "Create a space with `companion init FOLDER --name NAME`, or join your partner's "
            "with `companion join FOLDER --name NAME`.",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise DataError(
            f"The profile file {path} is damaged.",
            "Move the profile folder aside and run `companion join FOLDER --name NAME` again; "
            "your data comes back from the shared folder.",
        ) from None
    try:
        if body.get("format") != FORMAT:
            raise KeyError("format")
        return Profile(
            home=home,
            device_id=str(body["device_id"]),
            partner_id=str(body["partner_id"]),
            space_id=str(body["space_id"]),
            shared_folder=Path(body["shared_folder"]),
        )
    except (KeyError, AttributeError, TypeError):
        raise DataError(
            f"The profile file {path} is incomplete.",
            "Move the profile folder aside and run `companion join FOLDER --name NAME` again.",
        ) from None
