"""The segment format: one immutable, sealed batch of a device's operations.

    b"CSEG" | version (1 byte) | body length (4 bytes, big-endian) | nonce | ciphertext

The plaintext is zlib-compressed JSON `{"seq", "prev", "ops"}`, where `prev` is the SHA-256
of the device's previous segment file, chaining the journal so a fork or rollback shows. The
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
from companion.domain.records import DELETED, OP_KINDS, merge
from companion.store import crypto

MAGIC = b"CSEG"
VERSION = 1
_HEADER = struct.Struct(">4sBI")
MAX_BODY = 64 * 1024 * 1024


class SegmentIncomplete(Exception):
    """The file is shorter than it says: still being synced. Try again later."""


class SegmentInvalid(Exception):
    """The file is complete but does not open: damaged, tampered with, or misplaced."""


@dataclass(frozen=True)
class Segment:
    seq: int
    prev: str
    ops: list[dict[str, Any]]
    digest: str


def aad(space_id: str, device_id: str, seq: int) -> bytes:
    return f"companion segment v{VERSION}|{space_id}|{device_id}|{seq}".encode()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode(
    key: bytes, space_id: str, device_id: str, seq: int, prev: str, ops: list[dict[str, Any]]
) -> bytes:
    plain = zlib.compress(
        json.dumps({"seq": seq, "prev": prev, "ops": ops}, separators=(",", ":")).encode(), 6
    )
    body = crypto.seal(key, plain, aad(space_id, device_id, seq))
    return _HEADER.pack(MAGIC, VERSION, len(body)) + body


def decode(key: bytes, space_id: str, device_id: str, seq: int, data: bytes) -> Segment:
    payload = _open_payload(key, _unframe(data, MAGIC), aad(space_id, device_id, seq))
    if (
        not isinstance(payload, dict)
        or payload.get("seq") != seq
        or not isinstance(payload.get("prev"), str)
        or not isinstance(payload.get("ops"), list)
        or not all(valid_op(op) for op in payload["ops"])
    ):
        raise SegmentInvalid("authenticated but malformed")
    return Segment(seq=seq, prev=payload["prev"], ops=payload["ops"], digest=digest(data))


def valid_op(op: Any) -> bool:
    """The shape every operation must have before it may touch the replica."""
    if not isinstance(op, dict) or op.get("op") not in OP_KINDS:
        return False
    if not all(
        isinstance(op.get(k), str) and op.get(k) for k in ("id", "type", "device", "author")
    ):
        return False
    if not isinstance(op.get("fields"), dict):
        return False
    try:
        parse_stamp(op.get("hlc", ""))
    except (ValueError, AttributeError):
        return False
    return True


# -- snapshots: a run of one device's segments, compacted -----------------------------------

SNAP_MAGIC = b"CSNP"


@dataclass(frozen=True)
class Snapshot:
    first: int
    last: int
    prev: str
    last_hash: str
    ops: list[dict[str, Any]]


def snapshot_aad(space_id: str, device_id: str, first: int, last: int) -> bytes:
    return f"companion snapshot v{VERSION}|{space_id}|{device_id}|{first}|{last}".encode()


def encode_snapshot(
    key: bytes,
    space_id: str,
    device_id: str,
    first: int,
    last: int,
    prev: str,
    last_hash: str,
    ops: list[dict[str, Any]],
) -> bytes:
    payload = {"first": first, "last": last, "prev": prev, "last_hash": last_hash, "ops": ops}
    plain = zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 6)
    body = crypto.seal(key, plain, snapshot_aad(space_id, device_id, first, last))
    return _HEADER.pack(SNAP_MAGIC, VERSION, len(body)) + body


def decode_snapshot(
    key: bytes, space_id: str, device_id: str, first: int, last: int, data: bytes
) -> Snapshot:
    body = _unframe(data, SNAP_MAGIC)
    payload = _open_payload(key, body, snapshot_aad(space_id, device_id, first, last))
    if (
        not isinstance(payload, dict)
        or payload.get("first") != first
        or payload.get("last") != last
        or not isinstance(payload.get("prev"), str)
        or not isinstance(payload.get("last_hash"), str)
        or not isinstance(payload.get("ops"), list)
        or not all(valid_op(op) for op in payload["ops"])
    ):
        raise SegmentInvalid("authenticated but malformed")
    return Snapshot(first, last, payload["prev"], payload["last_hash"], payload["ops"])


def _open_payload(key: bytes, body: bytes, associated: bytes) -> Any:
    """Authenticate and unpack a sealed body; anything wrong is SegmentInvalid."""
    try:
        plain = crypto.open_sealed(key, body, associated)
    except crypto.OpenFailed:
        raise SegmentInvalid("failed authentication") from None
    try:
        return json.loads(zlib.decompress(plain))
    except (zlib.error, ValueError, RecursionError):
        raise SegmentInvalid("authenticated but unreadable") from None


def _unframe(data: bytes, magic: bytes) -> bytes:
    if len(data) < _HEADER.size:
        if magic.startswith(data[:4]):
            raise SegmentIncomplete(f"{len(data)} bytes so far")
        raise SegmentInvalid("not a companion file")
    found, version, length = _HEADER.unpack_from(data)
    if found != magic:
        raise SegmentInvalid("not a companion file of this kind")
    if version != VERSION:
        raise SegmentInvalid(f"format {version}, which this version can't read")
    if length > MAX_BODY:
        raise SegmentInvalid("impossible length")
    body = data[_HEADER.size :]
    if len(body) < length:
        raise SegmentIncomplete(f"{len(body)} of {length} bytes")
    if len(body) > length:
        raise SegmentInvalid("longer than it says")
    return body


def compact(ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fewest operations that merge to the same records as `ops` do."""
    states: dict[str, dict[str, Any]] = {}
    authors: dict[str, str] = {}
    for op in ops:
        states[op["id"]] = merge(states.get(op["id"]), op)
        authors[op["hlc"]] = op["author"]
    out: list[dict[str, Any]] = []
    for state in states.values():
        by_stamp: dict[str, dict[str, Any]] = {}
        for name, stamp in state["clocks"].items():
            by_stamp.setdefault(stamp, {})[name] = state["fields"][name]
        created = state["created"]
        if created is not None:
            fields = by_stamp.pop(created, {})
            if fields.get(DELETED, False) is False:
                fields.pop(DELETED, None)
                out.append(_op("create", state, created, state["author"], state["device"], fields))
            else:
                out.append(
                    _op(
                        "create",
                        state,
                        created,
                        state["author"],
                        state["device"],
                        {k: v for k, v in fields.items() if k != DELETED},
                    )
                )
                by_stamp.setdefault(created, {})[DELETED] = True
        if state["hlc"] not in state["clocks"].values():
            by_stamp.setdefault(state["hlc"], {})  # an op that changed nothing still counts
        for stamp, fields in sorted(by_stamp.items()):
            device = stamp.split(".", 2)[2]
            author = authors.get(stamp) or state["author"] or ""
            if fields.get(DELETED) is True and len(fields) == 1:
                out.append(_op("delete", state, stamp, author, device, {}))
            elif DELETED in fields and fields[DELETED] is False:
                rest = {k: v for k, v in fields.items() if k != DELETED}
                out.append(_op("create", state, stamp, author, device, rest))
            else:
                out.append(_op("set", state, stamp, author, device, fields))
    return out


def _op(
    kind: str,
    state: dict[str, Any],
    stamp: str,
    author: str | None,
    device: str,
    fields: dict[str, Any],
) -> dict[str, Any]:
    return {
        "op": kind,
        "id": state["id"],
        "type": state["type"],
        "hlc": stamp,
        "device": device,
        "author": author or "",
        "fields": fields,
    }
