"""'Remember on this device': opt-in, refused without a keychain unless a key file is asked for."""

from __future__ import annotations

import subprocess
import sys


def test_remember_needs_a_keychain_or_explicit_key_file(couple):
    alex, _ = couple
    refused = alex.run("remember", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    assert refused.code == 1 and "no keychain" in refused.err
    assert not (alex.home / "remembered.key").exists()
    kept = alex.run(
        "remember", "--key-file", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring"
    )
    assert kept.code == 0 and "Warning" in kept.err
    key_file = alex.home / "remembered.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    # no passphrase in the environment and none typed: the remembered key opens the space
    env_less = alex.env()
    env_less.pop("COMPANION_PASSPHRASE")
    proc = subprocess.run(
        [sys.executable, "-m", "companion", "status", "--json"],
        env=env_less,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    alex.ok("remember", "--forget")
    assert not key_file.exists()
    proc = subprocess.run(
        [sys.executable, "-m", "companion", "status"],
        env=env_less,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1 and "No passphrase" in proc.stderr
