"""This device's signing key, and the codes people compare to trust a device.

Each device signs every file it writes to the shared folder with its own Ed25519 key. The
private key lives in the profile (not in the replica, which `sync --rebuild` sets aside), in
a 0600 file sealed under a subkey of the data key, bound to the space and the device. The
public key travels in the device's own record; fingerprints, approval codes and the safety
code are all derived from it.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from companion.errors import DataError
from companion.store import crypto
from companion.store.fsutil import atomic_write, ensure_private_dir

KEY_FILE = "signing.key"
PUBLIC_BYTES = 32
# An approval code: ten digits that name the device's key, then eight only that device shows.
PUBLIC_DIGITS = 10
SECRET_DIGITS = 8
SIGNATURE_BYTES = 64


class Signer:
    """A device's private signing key: signs what the device writes."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = private.public_key().public_bytes_raw()

    @classmethod
    def generate(cls) -> Signer:
        return cls(Ed25519PrivateKey.generate())

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def raw(self) -> bytes:
        return self._private.private_bytes_raw()

    def approval_secret(self) -> str:
        """The secret part of this device's approval code: derived from its private key, so
        it is never written anywhere, and only someone who read it off this device knows it."""
        digest = hmac.digest(self.raw(), b"companion approval secret v1", "sha256")
        return f"{int.from_bytes(digest[:8], 'big') % 10**SECRET_DIGITS:0{SECRET_DIGITS}d}"


def verify(public: bytes, signature: bytes, message: bytes) -> bool:
    """Whether `signature` over `message` was made with the key whose public half is `public`."""
    if len(public) != PUBLIC_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _seal_key(data_key: bytes) -> bytes:
    return crypto.subkey(data_key, "signing key")


def _aad(space_id: str, device_id: str) -> bytes:
    return f"companion signing key v1|{space_id}|{device_id}".encode()


def load_or_create(home: Path, data_key: bytes, space_id: str, device_id: str) -> Signer:
    """This device's signing key, made (and kept in the profile) the first time it is asked for."""
    path = home / KEY_FILE
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        signer = Signer.generate()
        ensure_private_dir(home)
        sealed = crypto.seal(_seal_key(data_key), signer.raw(), _aad(space_id, device_id))
        atomic_write(path, sealed, mode=0o600)
        return signer
    try:
        raw = crypto.open_sealed(_seal_key(data_key), blob, _aad(space_id, device_id))
        return Signer(Ed25519PrivateKey.from_private_bytes(raw))
    except (crypto.OpenFailed, ValueError):
        raise DataError(
            f"This device's signing key ({path}) is damaged or belongs to another profile.",
            "Move the profile folder aside and run `companion join FOLDER --name NAME` to add "
            "this computer again as a new device; your data comes back from the shared folder.",
        ) from None


# -- what people compare ------------------------------------------------------------------


def key_hash(public: bytes) -> str:
    """The exact fingerprint an approval names (hex SHA-256 of the public key)."""
    return hashlib.sha256(b"companion device key|" + public).hexdigest()


def fingerprint(public: bytes) -> str:
    """A short, readable fingerprint of a device's key: five groups of four hex digits."""
    digest = key_hash(public)[:20]
    return " ".join(digest[i : i + 4] for i in range(0, 20, 4))


def approval_code(device_id: str, public: bytes, secret: str = "") -> str:
    """The code a waiting device shows, to be typed on a device that approves it: ten digits
    from its key (which device), then, when `secret` is given, the secret part (proof that the
    person approving read it off that device)."""
    digest = hashlib.sha256(f"companion approve|{device_id}|".encode() + public).digest()
    number = int.from_bytes(digest[:8], "big") % 10**PUBLIC_DIGITS
    text = f"{number:0{PUBLIC_DIGITS}d}"
    shown = f"{text[:5]}-{text[5:]}"
    return f"{shown}-{secret[:4]}-{secret[4:]}" if secret else shown


def normal_code(code: str) -> str:
    """A typed code with its spaces and dashes left out."""
    return "".join(ch for ch in code if ch in "0123456789")


def split_code(code: str) -> tuple[str, str] | None:
    """A typed approval code as (its public part, its secret part), or None if it is neither
    whole nor of the right length."""
    digits = normal_code(code)
    if len(digits) != PUBLIC_DIGITS + SECRET_DIGITS:
        return None
    return digits[:PUBLIC_DIGITS], digits[PUBLIC_DIGITS:]


def approval_proof(secret: str, by: str, device: str, key: str) -> str:
    """What an approval carries to show the approving device (`by`) was told `device`'s
    secret: an HMAC over both devices and the approved key's hash (`key`)."""
    message = f"companion approval proof v1|{by}|{device}|{key}".encode()
    return hmac.digest(secret.encode("ascii"), message, "sha256").hex()


def proof_holds(secret: str, proof: str, by: str, device: str, key: str) -> bool:
    """Whether `proof` is the one `approval_proof` makes with this secret."""
    return hmac.compare_digest(approval_proof(secret, by, device, key), proof)


def safety_code(one: bytes, other: bytes) -> str:
    """Twelve groups of five digits from two partners' keys, the same whichever comes first."""
    low, high = sorted((one, other))
    digest = hashlib.sha512(b"companion safety code v1|" + low + high).digest()
    groups = [int.from_bytes(digest[i * 5 : i * 5 + 5], "big") % 100_000 for i in range(12)]
    return " ".join(f"{g:05d}" for g in groups)
