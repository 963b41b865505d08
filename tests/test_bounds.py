"""Bounded decoding (issue 12, item 4): a file that authenticates may still be hostile.

A partner's modified app holds the key, so it can seal an inflation bomb, JSON of a million
tiny values, or a field of megabytes. Each is refused as a damaged file that says which limit
it broke; the rest still merges, later segments of the same device too; and a sync pass that
meets one uses no more than twice the memory of a pass over an ordinary segment. The app's own
writing stays under the limits it reads with.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion import service
from companion.domain import model as m
from companion.store import bounded, crypto, storage
from companion.store.bounded import MIB, Limits, OverLimit
from companion.store.signing import Signer
from companion.sync import engine, segments
from companion.sync.journal import Journal, segment_name
from companion.sync.segments import SegmentTooLarge

from .conftest import PASSPHRASE
from .syncsim import World, fast_kdf

KEY = bytes(range(32))
SPACE, DEVICE = "0123456789abcdef01234567", "0123456789abcdef"


def zlib_bomb(prefix: bytes, fill: bytes, mib: int, suffix: bytes) -> bytes:
    """A valid zlib stream of `prefix`, `mib` MiB of `fill`, `suffix`; about 1 KB per MiB.

    Each MiB is one deflate block after a full flush, so it can be repeated as it is; the
    trailer's checksum is the real one, as a modified app's zlib would write it.
    """
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = raw.compress(prefix) + raw.flush(zlib.Z_FULL_FLUSH)
    chunk = fill * MIB
    block = raw.compress(chunk) + raw.flush(zlib.Z_FULL_FLUSH)
    tail = raw.compress(suffix) + raw.flush()
    check = zlib.adler32(prefix)
    for _ in range(mib):
        check = zlib.adler32(chunk, check)
    check = zlib.adler32(suffix, check)
    return b"\x78\xda" + head + block * mib + tail + struct.pack(">I", check)


# A modified app signs what it writes like ours does: its files are authentic and signed.
SIGNER = Signer.generate()


def signed(plain: bytes, associated: bytes) -> bytes:
    return SIGNER.sign(associated + SIGNER.public + plain) + SIGNER.public + plain


def sealed_segment(key: bytes, space: str, device: str, seq: int, plain: bytes) -> bytes:
    """A segment file whose compressed plaintext is exactly `plain`: authentic, signed, and
    chosen."""
    associated = segments.aad(space, device, seq)
    body = crypto.seal(key, signed(plain, associated), associated)
    return segments._HEADER.pack(segments.MAGIC, segments.VERSION, len(body)) + body


def sealed_snapshot(first: int, last: int, plain: bytes) -> bytes:
    associated = segments.snapshot_aad(SPACE, DEVICE, first, last)
    body = crypto.seal(KEY, signed(plain, associated), associated)
    return segments._HEADER.pack(segments.SNAP_MAGIC, segments.VERSION, len(body)) + body


def op(text: object = "thanks", **extra: object) -> dict[str, object]:
    return {
        "op": "create",
        "id": "7ZJ5R0C6W8A1T9B2E3Y4M5Q6P7",
        "type": "gratitude",
        "hlc": f"{1764000000000:015d}.000000.{DEVICE}",
        "device": DEVICE,
        "author": "p1",
        "fields": {"text": text, **extra},
    }


def payload(ops: object, seq: int = 3) -> bytes:
    return json.dumps({"seq": seq, "prev": "", "ops": ops}, separators=(",", ":")).encode()


def hostile(kind: str, seq: int, prev: str = "") -> bytes:
    """The compressed plaintext of a hostile segment `seq` (each kind breaks one limit)."""
    head = f'{{"seq":{seq},"prev":"{prev}","ops":'.encode()
    if kind == "bomb":  # 2 GiB of one note's text, in 2 MB
        note = json.dumps(op("")).encode()[:-3]
        return zlib_bomb(head + b"[" + note, b"a", 2048, b'"}}]}')
    if kind == "nested":  # [[[[…: under the size limit, two million values deep
        return zlib.compress(head + b"[" * (2 * MIB - 256) + b"]}", 9)
    if kind == "values":  # 600,000 tiny containers, each a few bytes
        return zlib.compress(head + b"[" + b"{}," * 600_000 + b"{}]}", 9)
    if kind == "just-under":  # as many distinct small strings as pass the count, then parsed
        items = b",".join(b'"%05x"' % i for i in range(segments.SEGMENT.values - 64))
        return zlib.compress(head + b"[" + items + b"]}", 9)
    if kind == "wide":  # one string just under the size limit, wide characters forcing UCS-4
        text = "\U0001f600" + "a" * (2 * MIB - 1024)
        return zlib.compress(payload([op(text)], seq), 9)
    if kind == "many-ops":
        return zlib.compress(payload([op()] * (segments.SEGMENT.ops + 1), seq), 9)
    raise ValueError(kind)


# -- the limits themselves -------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.integers(0, 600), st.integers(0, 20))
def test_inflate_gives_exactly_what_fits_and_refuses_the_rest(data, limit, cut):
    limits = Limits("a test file", inflated=limit, values=10)
    packed = zlib.compress(data)
    if len(data) > limit:
        with pytest.raises(OverLimit, match="more than"):
            bounded.inflate(packed, limits)
        return
    assert bounded.inflate(packed, limits) == data
    if cut:  # cut short: broken, never taken as a shorter whole
        with pytest.raises(zlib.error):
            bounded.inflate(packed[: -min(cut, len(packed))], limits)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(',:[{}]"\\ab', max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=30,
)


def count_values(value: object) -> int:
    if isinstance(value, list):
        return 1 + sum(count_values(v) for v in value)
    if isinstance(value, dict):
        return 1 + len(value) + sum(count_values(v) for v in value.values())
    return 1


@settings(max_examples=500, deadline=None)
@given(JSON, st.booleans())
def test_the_census_never_undercounts(value, compact):
    raw = json.dumps(value, separators=(",", ":") if compact else None).encode()
    bound = bounded.most_values(raw)
    assert bound >= count_values(value)
    assert bounded.parse(raw, Limits("a test file", inflated=len(raw), values=bound)) == value
    with pytest.raises(OverLimit, match="values"):
        bounded.parse(raw, Limits("a test file", inflated=len(raw), values=bound - 1))


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("bomb", "unpacks to more than 2 MiB, the most a segment may hold"),
        ("nested", "values, the most a segment may hold"),
        ("values", "values, the most a segment may hold"),
        ("wide", "a field of more than 262,144 characters"),
        ("many-ops", "6,001 changes, the most a segment may hold is 6,000"),
    ],
)
def test_an_authentic_segment_over_a_limit_is_too_large(kind, says):
    data = sealed_segment(KEY, SPACE, DEVICE, 3, hostile(kind, 3))
    with pytest.raises(SegmentTooLarge, match="too large") as caught:
        segments.decode(KEY, SPACE, DEVICE, 3, data)
    assert says in str(caught.value)


def test_a_snapshot_bomb_and_an_oversized_file_are_too_large():
    plain = zlib_bomb(b'{"first":1,"last":4,"ops":["', b"a", 64, b'"]}')
    with pytest.raises(SegmentTooLarge, match="more than 4 MiB, the most a snapshot may hold"):
        segments.decode_snapshot(KEY, SPACE, DEVICE, 1, 4, sealed_snapshot(1, 4, plain))
    header = segments._HEADER.pack(segments.MAGIC, segments.VERSION, 5 * MIB)
    with pytest.raises(SegmentTooLarge, match="more than a segment can be"):
        segments.decode(KEY, SPACE, DEVICE, 3, header + b"\0" * 64)


def test_a_journal_file_longer_than_any_is_not_read_whole(tmp_path):
    journal = Journal(tmp_path, KEY, SPACE, DEVICE)
    path = journal.segment_path(DEVICE, 3)
    path.parent.mkdir(parents=True)
    good = segments.encode(KEY, SPACE, DEVICE, 3, "", [op()])
    with path.open("wb") as f:
        f.write(good)
        f.truncate(segments.MAX_BODY * 4)  # sparse: long, without using the disk
    data = Path(path).stat().st_size
    assert data > segments.MAX_BODY
    read = bounded.read_at_most(path, segments.MAX_BODY + 1)
    assert read is not None and len(read) == segments.MAX_BODY + 1
    with pytest.raises(segments.SegmentInvalid):
        journal.read(DEVICE, 3)


SMALL = Limits("a segment", inflated=4096, values=400, ops=12)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.text(max_size=700), min_size=1, max_size=60))
def test_a_backlog_is_written_in_segments_a_reader_takes(texts):
    ops = [op(text) for text in texts]
    original = segments.SEGMENT
    segments.SEGMENT = SMALL
    try:
        runs = segments.batches(ops)
        assert [o for run in runs for o in run] == ops
        for seq, run in enumerate(runs, 1):
            data = segments.encode(KEY, SPACE, DEVICE, seq, "", run)
            assert segments.decode(KEY, SPACE, DEVICE, seq, data).ops == run
    finally:
        segments.SEGMENT = original


# -- through the sync engine: the app's own writing stays readable --------------------------


def test_a_long_backlog_reaches_the_partner_whole(tmp_path, monkeypatch):
    fast_kdf(monkeypatch)
    monkeypatch.setattr(segments, "SEGMENT", SMALL)
    monkeypatch.setattr(segments, "SNAPSHOT", Limits("a snapshot", 8192, 800, 24))
    monkeypatch.setattr(engine, "LOOSE_SEGMENTS", 3)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    fields = {"to": alex.partner, "read": False, "landed": False}
    ops = [
        alex.op("create", alex.new_id(), m.GRATITUDE, {**fields, "text": f"note {i} " + "x" * 300})
        for i in range(40)
    ]
    engine.export_pending(alex.replica, alex.journal, alex.clock, ops)
    assert len(alex.journal.listing(alex.profile.device_id).segments) > 3  # split, not folded
    world.deliver_all()
    result = sam.sync()
    assert result.problems == []
    texts = {n.get("text") for n in sam.notes()}
    assert {f"note {i} " + "x" * 300 for i in range(40)} <= texts


# -- from the command line: reported, skipped, retried, and the rest merges -----------------


def forge(home: Path, kind: str) -> int:
    """As Alex's modified app: a hostile segment in Alex's directory, then an ordinary note."""
    session = service.Session.unlock(home, PASSPHRASE)
    try:
        journal = session.journal
        me = journal.device_id
        seq = journal.listing(me).last_seq + 1
        prev = journal.digest_of(me, seq - 1) or ""
        plain = hostile(kind, seq, prev)
        data = sealed_segment(journal.key, journal.space_id, me, seq, plain)
        journal.segment_path(me, seq).write_bytes(data)
        session.add_gratitude(f"written after the {kind}")
        assert journal.listing(me).last_seq == seq + 1
        return seq
    finally:
        session.close()


def test_a_bomb_then_a_good_segment_the_note_arrives_and_the_bomb_is_reported(couple):
    alex, sam = couple
    alex.ok("add", "gratitude", "before the bomb")
    seq = forge(alex.home, "bomb")
    for _ in range(2):  # retried on the next pass: still reported, never a crash
        synced = sam.ok("sync")
        assert "Traceback" not in synced.err
        notes = sam.ok("list", "gratitude", "--json").json()
        assert {"before the bomb", "written after the bomb"} <= {n["text"] for n in notes}
    problems = sam.ok("status", "--json").json()["problems"]
    damaged = [p for p in problems if p["kind"] == engine.DAMAGED]
    assert [p["seq"] for p in damaged] == [seq], problems
    says = "too large: it unpacks to more than 2 MiB, the most a segment may hold"
    assert says in damaged[0]["message"]
    report = sam.run("verify", "--json")
    assert report.code == 3, report
    found = [f for f in json.loads(report.out)["problems"] if f["kind"] == engine.DAMAGED]
    assert len(found) == 1 and says in found[0]["message"], found
    assert segment_name(seq) in found[0]["path"]
    assert "Traceback" not in report.err


def test_a_planted_local_file_or_waiting_change_is_too_large_not_a_crash(couple):
    _, sam = couple
    session = service.Session.unlock(sam.home, PASSPHRASE)
    try:
        replica = session.replica
        bomb = zlib_bomb(b'{"a":"', b"a", 256, b'"}')
        core = replica.root / "core.db"
        planted = storage.MAGIC + crypto.seal(replica._key, bomb, replica._aad("core"))
        waiting = replica.outbox_dir / "0000000000000-000000-planted.op"
        outbox_bomb = crypto.seal(replica._outbox_key, bomb, replica._outbox_aad(waiting.name))
    finally:
        session.close()
    original = core.read_bytes()
    core.write_bytes(planted)
    listed = sam.run("list", "needs")
    assert listed.code != 0 and "Traceback" not in listed.err
    assert "core.db is too large: it unpacks to more than 128 MiB" in listed.err
    report = sam.run("verify", "--json")
    assert "core.db is too large" in report.out and "Traceback" not in report.err
    core.write_bytes(original)
    waiting.write_bytes(outbox_bomb)
    synced = sam.run("sync")
    assert synced.code != 0 and "Traceback" not in synced.err
    assert "is too large: it unpacks to more than 2 MiB" in synced.err
    report = sam.run("verify", "--json")
    found = [f for f in json.loads(report.out)["problems"] if f["kind"] == "outbox"]
    assert found and "too large" in found[0]["message"], report.out


# -- memory: a hostile segment costs a pass at most twice an ordinary one -------------------

MEASURED = """
import os, resource, sys
sys.argv = ["companion", *sys.argv[1:]]
from companion.entry import main
try:
    main()
finally:
    # this process alone, since exec (the key derivation's forked child is not counted;
    # ru_maxrss would also count the parent's before exec, so it serves only without /proc)
    try:
        with open("/proc/self/status") as status:
            peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # bytes on macOS
    os.write(2, f"\\nPEAK-RSS {peak}\\n".encode())
"""


def sync_peak(partner) -> int:
    proc = subprocess.run(
        [sys.executable, "-c", MEASURED, "sync"],
        env=partner.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    line = [t for t in proc.stderr.splitlines() if t.startswith("PEAK-RSS ")][-1]
    return int(line.split()[1])  # kB


def test_sync_memory_on_a_hostile_segment_stays_within_twice_an_ordinary_one(couple):
    alex, sam = couple
    alex.ok("add", "gratitude", "an ordinary evening's note")
    ordinary = sync_peak(sam)
    peaks = {}
    for kind in ("bomb", "nested", "values", "just-under", "wide"):
        forge(alex.home, kind)
        peaks[kind] = sync_peak(sam)
    assert all(peak <= 2 * ordinary for peak in peaks.values()), (ordinary, peaks)
    notes = {n["text"] for n in sam.ok("list", "gratitude", "--json").json()}
    assert {f"written after the {kind}" for kind in peaks} <= notes
