"""Shared fixtures: every test gets its own profiles and shared folder under tmp_path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSPHRASE = "correct horse battery staple"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@dataclass
class Partner:
    """One device's profile, driven through the real `companion` command in a subprocess."""

    home: Path
    shared: Path
    passphrase: str = PASSPHRASE

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPANION_")}
        env.update(COMPANION_HOME=str(self.home), COMPANION_PASSPHRASE=self.passphrase)
        env.update(extra)
        return env

    def run(self, *args: str, input: str | None = None, **extra_env: str) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-m", "companion", *args],
            env=self.env(**extra_env),
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    def ok(self, *args: str, **extra_env: str) -> CliResult:
        result = self.run(*args, **extra_env)
        assert result.code == 0, f"{args} exited {result.code}\n{result.out}\n{result.err}"
        return result


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


@pytest.fixture
def make_partner(tmp_path: Path, shared: Path) -> Callable[[str], Partner]:
    def make(label: str) -> Partner:
        return Partner(home=tmp_path / f"home-{label}", shared=shared)

    return make


@pytest.fixture
def couple(make_partner) -> tuple[Partner, Partner]:
    """Alex created the space, Sam joined it: two profiles on one shared folder."""
    alex, sam = make_partner("alex"), make_partner("sam")
    alex.ok("init", str(alex.shared), "--name", "Alex")
    sam.ok("join", str(sam.shared), "--name", "Sam")
    alex.ok("sync")
    return alex, sam
