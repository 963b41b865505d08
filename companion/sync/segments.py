"""The segment format: one immutable, sealed batch of a device's operations.

    b"CSEG" | version (1 byte) | body length (4 bytes, big-endian) | nonce | ciphertext

The plaintext (version 2) is the writing device's Ed25519 signature (64 bytes) and public key
(32 bytes), then zlib-compressed JSON `{"seq", "prev", "ops"}`; the signature covers the
associated data, the key and the compressed JSON, and is checked before anything is inflated.
Version 1 files (from before devices signed) have the compressed JSON alone; they stay
readable, and the reader decides whether to accept one (see reader.py). In the JSON, `prev`
is the SHA-256 of the device's previous segment file, chaining the journal so a fork or
rollback shows. The
associated data binds the format version, space id, device id and sequence number: a segment
renamed, moved to another device's directory or copied from another space fails to open.
The length prefix tells a file still arriving (wait) from one that was changed (report).
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from companion.domain.hlc import parse_stamp
from companion.domain.records import OP_KINDS
from companion.store import bounded, crypto, signing
from companion.store.bounded import MIB, Limits
from companion.store.signing import PUBLIC_BYTES, SIGNATURE_BYTES, Signer

# Part of this module's interface; the `as` says so to type checkers.
from companion.sync import padding
from companion.sync.compaction import compact as compact

MAGIC = b"CSEG"
VERSION = 2
# Version 1: unsigned, from before devices had signing keys; still read.
UNSIGNED = 1
_HEADER = struct.Struct(">4sBI")

# What one file may unpack to. Measured on a ten-year space (scripts/gen_history.py --years 10,
# ~53,000 records): the largest segment (one evening) unpacks to 4.4 KB, 16 changes, 335 JSON
# values; the largest snapshot (the top tier, LOOSE_SEGMENTS * MAX_SNAPSHOTS segments folded)
# to 1.3 MB, 5,140 changes, 107,000 values. A segment's limits leave room for an older app's
# segment after a year offline (a busy evening's changes every day, all in one segment; this
# app splits such a backlog, see `batches`). A snapshot's leave room for a couple about twice
# as busy, and no more: decoding the nastiest snapshot within them (tiny values, long strings
# or empty changes) then takes at most twice the memory of that ten-year snapshot
# (tests/test_snapshot_memory.py). A busier couple's own app keeps smaller snapshots instead
# (a fold over the limits is not written, see engine._fold). A hostile segment costs a sync
# pass some 20 MB more than an ordinary one, well within the 2x that tests/test_bounds.py
# measures. An honest snapshot written before these limits can't exceed them either: every
# version that shipped folds in two tiers (a snapshot spans at most 512 segments) and writes
# no fold over the limits it had; the limits were looser (32 MiB) for three days, too few for
# a couple to write 512 evenings. (Measured again on 2026-11-29, --years 10: the largest
# snapshot is 0.9 MB of JSON and 3,141 changes, a quarter of the limits or less.)
SEGMENT = Limits("a segment", inflated=2 * MIB, values=150_000, ops=6_000)
SNAPSHOT = Limits("a snapshot", inflated=4 * MIB, values=200_000, ops=20_000)
MAX_BODY = SNAPSHOT.sealed
HEADER_SIZE = _HEADER.size
# One field's value: the largest the app writes is a sealed check-in (five 2,000-character
# answers, JSON-escaped, sealed and in base64: ~160,000 characters at most).
# A list or map in a field counts its strings' characters and 16 for each item.
MAX_FIELD_CHARS = 256 * 1024
MAX_KEYS = 64  # keys of an op, fields of an op (seven and six at most)
MAX_OP_CHARS = 256  # an op's id, type, device, author and stamp (39 characters at most)


class SegmentIncomplete(Exception):
    """The file is shorter than it says: still being synced. Try again later."""


class SegmentInvalid(Exception):
    """The file is complete but does not open: damaged, tampered with, or misplaced."""


class SegmentTooLarge(SegmentInvalid):
    """The file authenticates but is over a limit: written by a modified app, not ours."""


@dataclass(frozen=True)
class Segment:
    seq: int
    prev: str
    ops: list[dict[str, Any]]
    digest: str
    # The public key that signed it (whose signature verified), None for an unsigned file.
    signer: bytes | None = None


def aad(space_id: str, device_id: str, seq: int, version: int = VERSION) -> bytes:
    return f"companion segment v{version}|{space_id}|{device_id}|{seq}".encode()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _plain(payload: dict[str, Any], limits: Limits) -> bytes:
    """The compressed JSON of a file about to be written; OverLimit if a reader would refuse it."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    bounded.check_ops(payload["ops"], limits)
    if len(raw) > limits.inflated:
        raise bounded.OverLimit(f"{limits.what} would unpack to {len(raw):,} bytes")
    bounded.census(raw, limits)
    return zlib.compress(raw, 6)


def _signed(
    plain: bytes, associated: bytes, signer: Signer | None, limits: Limits = SEGMENT
) -> bytes:
    """The plaintext as sealed: signature, key and `plain`, or `plain` alone when unsigned;
    `plain` padded so that the file comes to one of a few sizes (see padding.py)."""
    overhead = _HEADER.size + crypto.NONCE_BYTES + crypto.TAG_BYTES
    if signer is not None:
        overhead += SIGNATURE_BYTES + PUBLIC_BYTES
    plain = padding.pad(plain, overhead, _HEADER.size + limits.sealed)
    if signer is None:
        return plain
    return signer.sign(associated + signer.public + plain) + signer.public + plain


def encode(
    key: bytes,
    space_id: str,
    device_id: str,
    seq: int,
    prev: str,
    ops: list[dict[str, Any]],
    signer: Signer | None = None,
) -> bytes:
    """A segment file; signed (the current format) by `signer`, or unsigned (version 1) as an
    app from before signing wrote it."""
    version = UNSIGNED if signer is None else VERSION
    plain = _plain({"seq": seq, "prev": prev, "ops": ops}, SEGMENT)
    associated = aad(space_id, device_id, seq, version)
    body = crypto.seal(key, _signed(plain, associated, signer), associated)
    return _HEADER.pack(MAGIC, version, len(body)) + body


def batches(ops: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """`ops` in runs that each fit one segment with room to spare (as they do but after years
    offline), so that no partner's app ever finds a segment of ours over a limit."""
    raw = len(json.dumps(ops, separators=(",", ":")))
    if len(ops) <= 1 or (len(ops) <= SEGMENT.ops // 2 and raw <= SEGMENT.inflated // 2):
        return [ops]
    half = len(ops) // 2
    return batches(ops[:half]) + batches(ops[half:])


def decode(key: bytes, space_id: str, device_id: str, seq: int, data: bytes) -> Segment:
    version, body = _unframe(data, MAGIC, SEGMENT)
    signer, payload = _open_payload(
        key, body, aad(space_id, device_id, seq, version), SEGMENT, version
    )
    if (
        not isinstance(payload, dict)
        or payload.get("seq") != seq
        or not isinstance(payload.get("prev"), str)
        or not isinstance(payload.get("ops"), list)
    ):
        raise SegmentInvalid("authenticated but malformed")
    _check_ops(payload["ops"], SEGMENT)
    return Segment(seq, payload["prev"], payload["ops"], digest(data), signer)


def _check_ops(ops: list[Any], limits: Limits) -> None:
    try:
        bounded.check_ops(ops, limits)
    except bounded.OverLimit as exc:
        raise SegmentTooLarge(str(exc)) from None
    for op in ops:
        if not valid_op(op):
            if isinstance(op, dict) and not within_limits(op):
                raise SegmentTooLarge(
                    f"too large: a change in it has a field of more than {MAX_FIELD_CHARS:,} "
                    f"characters or more than {MAX_KEYS} fields, beyond anything the app writes"
                )
            raise SegmentInvalid("authenticated but malformed")


def valid_op(op: Any) -> bool:
    """The shape every operation must have before it may touch the replica."""
    if not isinstance(op, dict) or op.get("op") not in OP_KINDS:
        return False
    for name in ("id", "type", "device", "author", "hlc"):
        value = op.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= MAX_OP_CHARS:
            return False
    if not isinstance(op.get("fields"), dict):
        return False
    try:
        parse_stamp(op["hlc"])
    except ValueError:
        return False
    return within_limits(op)


def within_limits(op: dict[str, Any]) -> bool:
    """Whether `op` and each of its fields are within the sizes the app itself writes."""
    fields = op.get("fields")
    if len(op) > MAX_KEYS or not isinstance(fields, dict) or len(fields) > MAX_KEYS:
        return len(op) <= MAX_KEYS and not isinstance(fields, dict)
    for value in fields.values():
        kind = value.__class__
        if kind is str:
            if len(value) > MAX_FIELD_CHARS:
                return False
        elif (kind is list or kind is dict) and _size_left(value, MAX_FIELD_CHARS) < 0:
            return False
    return True


def _size_left(value: Any, budget: int) -> int:
    """`budget` less the size of `value` (its strings' characters, 16 for each item)."""
    if isinstance(value, str):
        return budget - len(value)
    if isinstance(value, dict):
        children: list[Any] = [*value, *value.values()]
    elif isinstance(value, list):
        children = value
    else:
        return budget
    budget -= 16 * len(children)
    for child in children:
        if budget < 0:
            break
        budget = _size_left(child, budget)
    return budget


# -- snapshots: a run of one device's segments, compacted -----------------------------------

SNAP_MAGIC = b"CSNP"


@dataclass(frozen=True)
class Snapshot:
    first: int
    last: int
    prev: str
    last_hash: str
    ops: list[dict[str, Any]]
    signer: bytes | None = None


def snapshot_aad(
    space_id: str, device_id: str, first: int, last: int, version: int = VERSION
) -> bytes:
    return f"companion snapshot v{version}|{space_id}|{device_id}|{first}|{last}".encode()


def encode_snapshot(
    key: bytes,
    space_id: str,
    device_id: str,
    first: int,
    last: int,
    prev: str,
    last_hash: str,
    ops: list[dict[str, Any]],
    signer: Signer | None = None,
) -> bytes:
    version = UNSIGNED if signer is None else VERSION
    payload = {"first": first, "last": last, "prev": prev, "last_hash": last_hash, "ops": ops}
    plain = _plain(payload, SNAPSHOT)
    associated = snapshot_aad(space_id, device_id, first, last, version)
    body = crypto.seal(key, _signed(plain, associated, signer, SNAPSHOT), associated)
    return _HEADER.pack(SNAP_MAGIC, version, len(body)) + body


def decode_snapshot(
    key: bytes, space_id: str, device_id: str, first: int, last: int, data: bytes
) -> Snapshot:
    version, body = _unframe(data, SNAP_MAGIC, SNAPSHOT)
    associated = snapshot_aad(space_id, device_id, first, last, version)
    signer, payload = _open_payload(key, body, associated, SNAPSHOT, version)
    if (
        not isinstance(payload, dict)
        or payload.get("first") != first
        or payload.get("last") != last
        or not isinstance(payload.get("prev"), str)
        or not isinstance(payload.get("last_hash"), str)
        or not isinstance(payload.get("ops"), list)
    ):
        raise SegmentInvalid("authenticated but malformed")
    _check_ops(payload["ops"], SNAPSHOT)
    return Snapshot(first, last, payload["prev"], payload["last_hash"], payload["ops"], signer)


def _open_payload(
    key: bytes, body: memoryview, associated: bytes, limits: Limits, version: int
) -> tuple[bytes | None, Any]:
    """Authenticate, check the signature of, and unpack a sealed body: the key that signed it
    (None when unsigned) and the payload. Anything wrong is SegmentInvalid."""
    try:
        sealed = crypto.open_sealed(key, body, associated)
    except crypto.OpenFailed:
        raise SegmentInvalid("failed authentication") from None
    signer: bytes | None = None
    head = 0
    if version != UNSIGNED:
        head = SIGNATURE_BYTES + PUBLIC_BYTES
        signature, signer = sealed[:SIGNATURE_BYTES], sealed[SIGNATURE_BYTES:head]
    plain = memoryview(sealed)[head:]  # read in place, not copied: it may be megabytes
    del sealed
    # checked before anything is inflated: a forged file costs one verification
    if signer is not None and (
        len(signer) != PUBLIC_BYTES
        or not signing.verify(signer, signature, associated + signer + plain)
    ):
        raise SegmentInvalid("its signature doesn't verify")
    try:
        raw = bounded.inflate(plain, limits, padded=True)
        del plain  # the sealed bytes go before the JSON is parsed: one copy less at the peak
        return signer, bounded.parse(raw, limits)
    except bounded.OverLimit as exc:
        raise SegmentTooLarge(str(exc)) from None
    except (zlib.error, ValueError, RecursionError):
        raise SegmentInvalid("authenticated but unreadable") from None


def _unframe(data: bytes, magic: bytes, limits: Limits) -> tuple[int, memoryview]:
    """The format version and the sealed body of a complete file."""
    if len(data) < _HEADER.size:
        if magic.startswith(data[:4]):
            raise SegmentIncomplete(f"{len(data)} bytes so far")
        raise SegmentInvalid("not a companion file")
    found, version, length = _HEADER.unpack_from(data)
    if found != magic:
        raise SegmentInvalid("not a companion file of this kind")
    if version not in (UNSIGNED, VERSION):
        raise SegmentInvalid(f"format {version}, which this version can't read")
    if length > limits.sealed:
        raise SegmentTooLarge(
            f"too large: {length:,} bytes, more than {limits.what} can be "
            f"({bounded.size_text(limits.sealed)})"
        )
    body = memoryview(data)[_HEADER.size :]  # no copy of what may be megabytes
    if len(body) < length:
        raise SegmentIncomplete(f"{len(body)} of {length} bytes")
    if len(body) > length:
        raise SegmentInvalid("longer than it says")
    return version, body
