"""Keys, space.json, the encrypted storage and segments, without Textual or subprocesses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from companion.errors import DataError, StorageFullError, UnlockError
from companion.store import crypto, spacefile
from companion.store.fsutil import atomic_write
from companion.store.storage import EncryptedStorage, StorageDamaged, open_db
from companion.sync import segments

PASS = "correct horse battery staple"


@pytest.fixture(scope="module")
def header_and_key():
    return spacefile.create(PASS, "space1")


def test_kdf_parameters_follow_rfc9106_second_recommendation():
    params = crypto.new_kdf_params()
    assert params["name"] == crypto.ARGON2ID
    assert (params["iterations"], params["lanes"], params["memory_cost"]) == (3, 4, 65536)
    assert len(crypto.b64d(params["salt"])) == 16


def test_scrypt_fallback_derives_a_key():
    params = {
        "name": crypto.SCRYPT,
        "salt": crypto.b64e(os.urandom(16)),
        "n": 2**14,
        "r": 8,
        "p": 1,
    }
    assert crypto.derive_kek(PASS, params) == crypto.derive_kek(PASS, params)


def test_wrap_round_trip_and_parameters_read_back(tmp_path: Path, header_and_key):
    header, data_key = header_and_key
    path = tmp_path / "space.json"
    spacefile.save(header, path)
    loaded = spacefile.load(path)
    assert loaded == header
    assert loaded.unlock(PASS) == data_key
    assert len(data_key) == 32


def test_wrong_passphrase_is_told_apart_from_damage(tmp_path: Path, header_and_key):
    header, _ = header_and_key
    with pytest.raises(UnlockError, match="doesn't open"):
        header.unlock("not the passphrase")
    path = tmp_path / "space.json"
    spacefile.save(header, path)
    text = path.read_text()
    # Damage without a matching checksum: reported as damage, before any key derivation.
    path.write_text(text.replace(header.wrapped_key[:6], "AAAAAA"))
    with pytest.raises(DataError, match="damaged"):
        spacefile.load(path)
    # A wrapped key damaged consistently (checksum recomputed): the key-check passes, the
    # unwrap fails, and it is still reported as damage, not as a wrong passphrase.
    bad = spacefile.SpaceHeader(
        header.space_id, header.kdf, crypto.b64e(b"\0" * 60), header.key_check, header.key_version
    )
    with pytest.raises(DataError, match="passphrase is right"):
        bad.unlock(PASS)


@pytest.mark.parametrize("garbage", [b"", b"{", b"[]", b'{"app": "companion"}', b"\xff\xfe"])
def test_space_file_garbage_is_damage(tmp_path: Path, garbage: bytes):
    path = tmp_path / "space.json"
    path.write_bytes(garbage)
    with pytest.raises(DataError):
        spacefile.load(path)


def test_rewrap_keeps_the_data_key(header_and_key):
    header, data_key = header_and_key
    new_header, same = spacefile.create("another passphrase", header.space_id, data_key, 2)
    assert same == data_key and new_header.unlock("another passphrase") == data_key
    with pytest.raises(UnlockError):
        new_header.unlock(PASS)


def test_storage_round_trip_and_permissions(tmp_path: Path):
    key = crypto.new_data_key()
    db = open_db(tmp_path / "core.db", key, b"aad")
    db.table("t").insert({"secret": "marker-xyz"})
    raw = (tmp_path / "core.db").read_bytes()
    assert b"marker-xyz" not in raw
    assert (tmp_path / "core.db").stat().st_mode & 0o777 == 0o600
    again = open_db(tmp_path / "core.db", key, b"aad")
    assert again.table("t").all()[0]["secret"] == "marker-xyz"
    with pytest.raises(StorageDamaged):
        open_db(tmp_path / "core.db", key, b"other-partition").table("t").all()


def test_storage_detects_every_flipped_byte(tmp_path: Path):
    key = crypto.new_data_key()
    path = tmp_path / "m.db"
    open_db(path, key, b"aad").table("t").insert({"x": 1})
    good = path.read_bytes()
    for i in range(len(good)):
        path.write_bytes(good[:i] + bytes([good[i] ^ 0x01]) + good[i + 1 :])
        with pytest.raises(StorageDamaged):
            EncryptedStorage(path, key, b"aad").read()
    for cut in range(len(good)):
        path.write_bytes(good[:cut])
        with pytest.raises(StorageDamaged):
            EncryptedStorage(path, key, b"aad").read()


def test_write_killed_before_rename_leaves_previous_state(tmp_path: Path, monkeypatch):
    key = crypto.new_data_key()
    path = tmp_path / "core.db"
    db = open_db(path, key, b"aad")
    db.table("t").insert({"n": 1})

    def crash(*_args):
        raise KeyboardInterrupt  # the process dies between fsync and rename

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        db.table("t").insert({"n": 2})
    monkeypatch.undo()
    assert [d["n"] for d in open_db(path, key, b"aad").table("t").all()] == [1]


def test_disk_full_keeps_previous_state(tmp_path: Path, monkeypatch):
    import errno

    path = tmp_path / "f"
    atomic_write(path, b"old")
    real_write = os.write

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StorageFullError, match="disk is full"):
        atomic_write(path, b"new")
    monkeypatch.setattr(os, "write", real_write)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def _segment(seq=3, device="d1", space="s1", key=None):
    key = key or crypto.new_data_key()
    ops = [
        {
            "op": "create",
            "id": "x",
            "type": "note",
            "hlc": "000000000000001.000000.d1",
            "device": "d1",
            "author": "p",
            "fields": {"text": "hi"},
        }
    ]
    return key, segments.encode(key, space, device, seq, "prev", ops)


def test_segment_binds_space_device_and_sequence():
    key, data = _segment()
    assert segments.decode(key, "s1", "d1", 3, data).ops[0]["fields"]["text"] == "hi"
    for space, device, seq in [("s2", "d1", 3), ("s1", "d2", 3), ("s1", "d1", 4)]:
        with pytest.raises(segments.SegmentInvalid):
            segments.decode(key, space, device, seq, data)


def test_truncated_segment_waits_and_changed_segment_is_invalid():
    key, data = _segment()
    for cut in range(len(data)):
        with pytest.raises(segments.SegmentIncomplete):
            segments.decode(key, "s1", "d1", 3, data[:cut])
    for i in range(len(data)):
        flipped = data[:i] + bytes([data[i] ^ 0x80]) + data[i + 1 :]
        with pytest.raises((segments.SegmentInvalid, segments.SegmentIncomplete)):
            segments.decode(key, "s1", "d1", 3, flipped)
    with pytest.raises(segments.SegmentInvalid):
        segments.decode(key, "s1", "d1", 3, data + b"x")
