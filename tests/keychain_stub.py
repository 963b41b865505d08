"""A keychain for tests: a keyring backend kept in one JSON file, shared across processes.

Selected with PYTHON_KEYRING_BACKEND=keychain_stub.FileKeyring (tests/ on PYTHONPATH) and
KEYCHAIN_STUB_FILE naming the file; it stands in for the OS keychain a desktop has.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ["KEYCHAIN_STUB_FILE"])

    def _load(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text("utf-8")) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x1f{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        stored = self._load()
        stored[f"{service}\x1f{username}"] = password
        self._path().write_text(json.dumps(stored), "utf-8")

    def delete_password(self, service: str, username: str) -> None:
        stored = self._load()
        stored.pop(f"{service}\x1f{username}", None)
        self._path().write_text(json.dumps(stored), "utf-8")
