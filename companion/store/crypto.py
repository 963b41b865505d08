"""Passphrase key derivation, data-key wrapping, and the AEAD used for every file.

Passphrase --Argon2id (RFC 9106 second recommendation; scrypt where Argon2id is missing)-->
key-encryption key, which wraps a random 256-bit data key with AES-256-GCM. Files are sealed
with subkeys derived from the data key by HKDF, one per purpose, and with associated data
that names exactly which file this is meant to be.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import signal
import threading
from typing import Any

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
ARGON2ID = "argon2id"
SCRYPT = "scrypt"
ARGON2_DEFAULTS = {"iterations": 3, "lanes": 4, "memory_cost": 64 * 1024}
SCRYPT_DEFAULTS = {"n": 2**17, "r": 8, "p": 1}


class OpenFailed(Exception):
    """AEAD authentication failed: wrong key, or the bytes were changed."""


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def argon2_available() -> bool:
    try:
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        Argon2id(salt=b"\0" * 16, length=32, iterations=1, lanes=1, memory_cost=8).derive(b"x")
    except (ImportError, UnsupportedAlgorithm):
        return False
    return True


def new_kdf_params() -> dict[str, Any]:
    salt = b64e(os.urandom(16))
    if argon2_available():
        return {"name": ARGON2ID, "salt": salt, **ARGON2_DEFAULTS}
    return {"name": SCRYPT, "salt": salt, **SCRYPT_DEFAULTS}


_KDF_LOCK = threading.Lock()


def derive_kek(passphrase: str, params: dict[str, Any]) -> bytes:
    """The key-encryption key, with the parameters exactly as the space file gives them.

    One derivation at a time: OpenSSL refuses a second memory-hard derivation while one runs.
    """
    with _KDF_LOCK:
        try:
            return _derive(passphrase, params)
        except MemoryError:
            from companion.errors import UsageError

            raise UsageError(
                "There isn't enough free memory to unlock (the key derivation needs "
                f"{params.get('memory_cost', 64 * 1024) // 1024} MiB).",
                "Close something memory-hungry and try again.",
            ) from None


def _derive(passphrase: str, params: dict[str, Any]) -> bytes:
    secret = passphrase.encode("utf-8")
    salt = b64d(params["salt"])
    if params["name"] == ARGON2ID:
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        kdf = Argon2id(
            salt=salt,
            length=KEY_BYTES,
            iterations=int(params["iterations"]),
            lanes=int(params["lanes"]),
            memory_cost=int(params["memory_cost"]),
        )
        return kdf.derive(secret)
    if params["name"] == SCRYPT:
        return Scrypt(
            salt=salt, length=KEY_BYTES, n=int(params["n"]), r=int(params["r"]), p=int(params["p"])
        ).derive(secret)
    raise ValueError(f"unknown key derivation {params['name']!r}")


def key_check(kek: bytes, space_id: str) -> str:
    """A value that tells a wrong passphrase apart from a damaged wrapped key."""
    return hmac.new(
        kek, b"companion key-check v1|" + space_id.encode(), hashlib.sha256
    ).hexdigest()[:32]


def subkey(data_key: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=b"companion v1 " + purpose.encode(),
    ).derive(data_key)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """nonce || ciphertext-with-tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, blob: bytes | memoryview, aad: bytes) -> bytes:
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise OpenFailed("too short")
    view = memoryview(blob)  # the sealed text is read in place, not copied: it may be MBs
    try:
        return AESGCM(key).decrypt(bytes(view[:NONCE_BYTES]), view[NONCE_BYTES:], aad)
    except InvalidTag:
        raise OpenFailed("authentication failed") from None


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


# The longest a helper process may derive (the slowest parameters a space may hold take a
# few seconds on a slow machine); past it, it is stopped by its own alarm.
HELPER_SECONDS = 120


class BackgroundDerivation:
    """Derive a key-encryption key in the background while start-up goes on.

    In a process that has no other threads yet (the start of a command), the derivation runs
    in a forked child: its 64 MiB stay out of the app's own memory, and it runs on a second
    core. Elsewhere it runs in a thread (the KDF releases the GIL, so that overlaps too).
    """

    def __init__(self, passphrase: str, params: dict[str, Any]) -> None:
        self.params = params
        self._passphrase = passphrase
        self._result: bytes | None = None
        self._error: BaseException | None = None
        self._pid = 0
        self._read_fd = -1
        self._thread: threading.Thread | None = None
        if hasattr(os, "fork") and threading.active_count() == 1:
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: derive, hand the key over, leave without cleanup
                try:
                    # never outlives its command by long, even one killed before it asked
                    signal.alarm(HELPER_SECONDS)
                    os.close(read_fd)
                    os.write(write_fd, _derive(passphrase, params))
                finally:
                    os._exit(0)
            os.close(write_fd)
            self._pid, self._read_fd = pid, read_fd
        else:
            self._thread = threading.Thread(target=self._run, name="companion-kdf", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._result = derive_kek(self._passphrase, self.params)
        except BaseException as exc:  # handed to whoever asks for the result
            self._error = exc

    def cancel(self) -> None:
        """Stop a derivation whose result nobody will ask for (its helper process ends now)."""
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.close(self._read_fd)
            with contextlib.suppress(OSError):
                os.waitpid(self._pid, 0)
            self._pid = 0

    def result(self) -> bytes:
        if self._pid:
            chunks: list[bytes] = []
            while sum(map(len, chunks)) < KEY_BYTES:
                chunk = os.read(self._read_fd, KEY_BYTES)
                if not chunk:
                    break
                chunks.append(chunk)
            os.close(self._read_fd)
            os.waitpid(self._pid, 0)
            self._pid = 0
            key = b"".join(chunks)
            # the child failed (out of memory, a bad parameter): derive here, with its errors
            self._result = (
                key if len(key) == KEY_BYTES else derive_kek(self._passphrase, self.params)
            )
        elif self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result
