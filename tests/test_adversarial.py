"""Adversarial tests: damaged, truncated, misplaced, replayed and forged files; a process
killed at random moments; a full disk; and fuzzed parsers.

What each must show: the damage is detected (by the decoder, by the sync engine, and by
`companion verify`), nothing crashes (only the documented exceptions come out: SegmentInvalid
or SegmentIncomplete from the journal decoders, StorageDamaged or another DataError from the
stores), and everything not in the damaged file is still there.

The KDF is the cheap one from syncsim (parameters are read back from space.json), and
`os.fsync` is skipped where a test opens hundreds of throw-away sessions: durability is the
subject of the kill and disk-full tests, which keep it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from companion import service, verify
from companion.domain import model as m
from companion.errors import DataError, StorageFullError, UnlockError
from companion.store import crypto, signing, spacefile, storage
from companion.store.replica import CORE
from companion.store.storage import StorageDamaged
from companion.sync import engine, segments
from companion.sync.journal import DEVICES, segment_name
from companion.sync.segments import SegmentIncomplete, SegmentInvalid

from .conftest import PASSPHRASE
from .syncsim import FAST_KDF, PASS, World, fast_kdf

JOURNAL_ERRORS = (SegmentInvalid, SegmentIncomplete)
REPO = Path(__file__).resolve().parents[1]
# Fuzzed inputs per parser; the four parsers get 10,000 in all by default.
FUZZ = int(os.environ.get("COMPANION_FUZZ_EXAMPLES", "2500"))
REAL_WRITE = os.write


# -- a sample space ---------------------------------------------------------------------------


def exchange(world: World) -> None:
    for _ in range(2):
        world.deliver_all()
        for device in world.devices:
            device.session.sync()


def close(session) -> None:
    if hasattr(session, "close"):
        session.close()


@pytest.fixture
def scratch(tmp_path):
    """A folder in memory where there is one (these tests make thousands of small files)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="companion-test-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def sample(scratch, monkeypatch):
    """Alex (whose older segments are compacted into snapshots) and Sam, synced."""
    fast_kdf(monkeypatch)
    monkeypatch.setattr(engine, "LOOSE_SEGMENTS", 3)
    world = World(scratch / "world")
    world.setup(["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    for i in range(8):
        alex.add_gratitude(f"note {i}")
    sam.add_need("A quiet hour after work")
    sam.add_need("Ask before giving advice")
    exchange(world)
    for device in world.devices:
        close(device.session)
    return world


def alex_dir(world: World) -> Path:
    """Alex's journal as Sam's machine sees it."""
    alex = world.devices[0].session
    return world.space(world.devices[1]) / DEVICES / alex.profile.device_id


def fresh_reader(world: World, scratch: Path) -> service.Session:
    """A new device of Sam's that reads Sam's copy of the folder from scratch: the real path."""
    sam = world.devices[1].session
    if scratch.exists():
        shutil.rmtree(scratch)
    # Sam's device itself, its replica rebuilt: with its own signing key (its files carry it)
    scratch.mkdir(parents=True)
    key_file = sam.profile.home / signing.KEY_FILE
    if key_file.exists():
        shutil.copy2(key_file, scratch / signing.KEY_FILE)
    profile = dataclasses.replace(sam.profile, home=scratch)
    session = service.Session(profile, sam.header, sam._data_key, world.clock)
    session._open()  # a new replica: everything in the folder is read and merged
    return session


def texts(session: service.Session, author: str | None = None) -> set[str]:
    records = [*session.notes(), *session.core(m.NEED)]
    return {r.get("text") for r in records if author in (None, r.author)}


def check_sam(world: World, index: int = 1) -> verify.Report:
    session = world.devices[index].session
    close(session)
    return verify.run_unlocked(session.profile, session.header, session._data_key)


def mutations(data: bytes, seed: int):
    """One changed byte at every position, then every truncation: (label, bytes)."""
    rng = random.Random(seed)
    for i in range(len(data)):
        changed = bytearray(data)
        changed[i] ^= rng.randrange(1, 256)
        yield f"byte {i} changed", bytes(changed)
    for cut in range(len(data)):
        yield f"cut at {cut}", data[:cut]


def refuses_every_change(decode: Callable[[bytes], object], good: bytes) -> None:
    """`decode` refuses every other value of every byte as damage, and every cut as
    incomplete."""
    for i in range(len(good)):
        for value in range(256):
            if value != good[i]:
                with pytest.raises(JOURNAL_ERRORS):
                    decode(good[:i] + bytes([value]) + good[i + 1 :])
    for cut in range(len(good)):
        with pytest.raises(SegmentIncomplete):
            decode(good[:cut])


def each_change_reported(
    world: World, scratch: Path, path: Path, good: bytes, seed: int
) -> Iterator[tuple[str, service.Session]]:
    """Write each of `mutations` over `path`: verify names that file alone as damaged or
    incomplete; yield the label and a new device's sync of the space as it is. Then put the
    file back and check that all is well again."""
    for label, data in mutations(good, seed):
        path.write_bytes(data)
        report = check_sam(world)
        assert [(p.kind, p.path) for p in report.problems] in (
            [(verify.DAMAGED, str(path))],
            [(verify.INCOMPLETE, str(path))],
        ), f"{label}: {report.text()}"
        yield label, fresh_reader(world, scratch / "reader")
    path.write_bytes(good)
    assert check_sam(world).ok


@pytest.fixture
def no_fsync(monkeypatch):
    monkeypatch.setattr(os, "fsync", lambda fd: None)


# -- every byte of a segment, a snapshot, a replica file and space.json -----------------------


def test_every_byte_and_cut_of_a_segment(sample, scratch, no_fsync):
    alex = sample.devices[0].session
    folder = alex_dir(sample)
    path = max(folder.glob("*.seg"))
    seq = int(path.stem)
    good = path.read_bytes()
    args = (alex.journal.key, alex.profile.space_id, alex.profile.device_id, seq)
    lost = {op["fields"]["text"] for op in segments.decode(*args, good).ops}
    everything = texts(fresh_reader(sample, scratch / "reader"))
    assert lost and lost < everything

    # The decoder: every other value of every byte, and every cut.
    refuses_every_change(lambda data: segments.decode(*args, data), good)

    # verify and a new device's sync: one change per byte, and every cut.
    for label, reader in each_change_reported(sample, scratch, path, good, seq):
        assert texts(reader) == everything - lost, label


def test_every_byte_and_cut_of_a_snapshot(sample, scratch, no_fsync):
    alex = sample.devices[0].session
    folder = alex_dir(sample)
    path = min(folder.glob("*.snap"))
    first, last = (int(n) for n in path.stem.split("-")[1:])
    good = path.read_bytes()
    args = (alex.journal.key, alex.profile.space_id, alex.profile.device_id, first, last)
    assert segments.decode_snapshot(*args, good).ops
    sam = sample.devices[1].session
    sam_texts = texts(sam, sam.me)
    assert sam_texts

    refuses_every_change(lambda data: segments.decode_snapshot(*args, data), good)

    for label, reader in each_change_reported(sample, scratch, path, good, first):
        assert sam_texts <= texts(reader), label


def test_a_damaged_snapshot_does_not_hold_back_the_segments_after_it(sample, scratch):
    folder = alex_dir(sample)
    path = min(folder.glob("*.snap"))
    last = int(path.stem.split("-")[2])
    after = _texts_after(sample, last)
    good = path.read_bytes()
    path.write_bytes(good[:-3] + bytes([good[-3] ^ 1]) + good[-2:])
    reader = fresh_reader(sample, scratch / "reader")
    assert after <= texts(reader), after - texts(reader)


def test_a_damaged_snapshot_problem_clears_once_a_good_copy_arrives(sample, scratch):
    folder = alex_dir(sample)
    path = min(folder.glob("*.snap"))
    good = path.read_bytes()
    path.write_bytes(good[:-3] + bytes([good[-3] ^ 1]) + good[-2:])
    reader = fresh_reader(sample, scratch / "reader")
    assert engine.DAMAGED in {p["kind"] for p in reader.replica.meta("problems")}
    path.write_bytes(good)
    result = reader.sync()
    assert not [p for p in result.problems if p["kind"] == engine.DAMAGED], result.problems


def _texts_after(world: World, last: int) -> set[str]:
    """The note texts in Alex's segments after `last`, as Sam's folder holds them."""
    alex = world.devices[0].session
    args = (alex.journal.key, alex.profile.space_id, alex.profile.device_id)
    found = set()
    for seg in alex_dir(world).glob("*.seg"):
        if int(seg.stem) > last:
            ops = segments.decode(*args, int(seg.stem), seg.read_bytes()).ops
            found |= {op["fields"]["text"] for op in ops if "text" in op["fields"]}
    assert found
    return found


def test_every_byte_and_cut_of_a_replica_file(sample, no_fsync):
    sam = sample.devices[1]
    path = sam.home / "replica" / f"{CORE}.db"
    good = path.read_bytes()
    session = sam.session
    aad = session.replica._aad(CORE)
    key = session.replica._key
    notes = {n.get("text") for n in session.notes()}
    assert notes
    for label, data in mutations(good, 7):
        path.write_bytes(data)
        with pytest.raises(StorageDamaged):
            storage.decode(data, key, aad, path)
        report = check_sam(sample)
        assert [(p.kind, p.path) for p in report.problems] == [
            (verify.REPLICA_DAMAGED, str(path))
        ], f"{label}: {report.text()}"
        # The other partitions still open; the notes are all there.
        reopened = service.Session.unlock(sam.home, PASS, sample.clock)
        assert {n.get("text") for n in reopened.notes()} == notes, label
        with pytest.raises(StorageDamaged):
            reopened.core(m.NEED)
    # And the rebuild the message recommends brings the damaged partition back.
    rebuilt = service.rebuild_replica(service.Session.unlock(sam.home, PASS, sample.clock))
    assert {r.get("text") for r in rebuilt.core(m.NEED)} == {
        "A quiet hour after work",
        "Ask before giving advice",
    }
    assert rebuilt.replica.verify_all() == []


def test_every_byte_and_cut_of_space_json(sample):
    sam = sample.devices[1]
    path = sample.space(sam) / "space.json"
    good = path.read_bytes()
    header = spacefile.parse(good, path)

    # The parser: every other value of every byte. Either the file is refused as damaged, or
    # it says exactly what it said before (a space turned into a tab, say).
    for i in range(len(good)):
        for value in range(256):
            if value == good[i]:
                continue
            data = good[:i] + bytes([value]) + good[i + 1 :]
            try:
                parsed = spacefile.parse(data, path)
            except DataError:
                continue
            assert parsed == header, (i, value)
    for cut in range(len(good)):
        try:
            parsed = spacefile.parse(good[:cut], path)
        except DataError:
            continue
        assert parsed == header and cut == len(good) - 1

    # verify: the damage is reported with the way out (this device's copy), and verify goes on
    # to check the journal with the copy.
    for label, data in mutations(good, 11):
        path.write_bytes(data)
        try:
            same = spacefile.parse(data, path) == header
        except DataError:
            same = False
        report = verify.run(sam.home, PASS)
        if same:
            assert report.ok, f"{label}: {report.text()}"
            continue
        assert [(p.kind, p.path) for p in report.problems] == [
            (verify.SPACE_FILE_DAMAGED, str(path))
        ], f"{label}: {report.text()}"
        assert str(sam.home / "space.json") in report.problems[0].hint
        assert report.checked["segment"] > 3
    path.write_bytes(good)


# -- files in the wrong place -----------------------------------------------------------------


def test_segments_moved_renamed_or_from_another_space_are_rejected(sample, tmp_path):
    alex, sam = (d.session for d in sample.devices)
    folder = alex_dir(sample)
    sam_dir = folder.parent / sam.profile.device_id
    newest = max(folder.glob("*.seg"))
    seq = int(newest.stem)
    before = texts(sam)

    other = World(tmp_path / "other")
    other.setup(["Kim", "Lee"])
    other.devices[0].session.add_gratitude("from another space")
    foreign = max((other.space(other.devices[0]) / DEVICES).rglob("*.seg"))

    sam_next = max(int(p.stem) for p in sam_dir.glob("*.seg")) + 1
    placed = {
        # Alex's newest segment, moved into Sam's directory under Sam's next number
        "moved": (sam_dir / segment_name(sam_next), newest.read_bytes()),
        # ... and under another number of Alex's own
        "renamed": (folder / segment_name(seq + 1), newest.read_bytes()),
        # a segment of another space, as Alex's next but one
        "foreign": (folder / segment_name(seq + 2), foreign.read_bytes()),
    }
    for target, data in placed.values():
        target.write_bytes(data)
    # The decoders refuse each of them where it now is.
    key, space = alex.journal.key, alex.profile.space_id
    for what, (target, data) in placed.items():
        with pytest.raises(SegmentInvalid):
            segments.decode(key, space, target.parent.name, int(target.stem), data)
        assert what
    # sync reports each as damaged and merges all the rest.
    result = sam.sync()
    damaged = {(p["device"], p["seq"]) for p in result.problems if p["kind"] == engine.DAMAGED}
    assert damaged == {(t.parent.name, int(t.stem)) for t, _ in placed.values()}
    assert texts(sam) == before
    # verify says which is which.
    report = check_sam(sample)
    found = {Path(p.path).name + "@" + Path(p.path).parent.name: p for p in report.problems}
    moved = found[f"{segment_name(sam_next)}@{sam.profile.device_id}"]
    renamed = found[f"{segment_name(seq + 1)}@{alex.profile.device_id}"]
    foreign_found = found[f"{segment_name(seq + 2)}@{alex.profile.device_id}"]
    assert moved.kind == renamed.kind == verify.MISPLACED
    assert f"segment {seq} of device {alex.profile.device_id[:8]}" in moved.message
    assert foreign_found.kind == verify.DAMAGED and "another space" in foreign_found.message
    assert len(report.problems) == 3, report.text()


# -- rollback, fork, two devices under one id -------------------------------------------------


def test_an_older_journal_restored_over_a_newer_one(tmp_path, monkeypatch):
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    alex.add_gratitude("before the backup")
    exchange(world)
    # Alex's machine is backed up (profile and folder) ...
    backup = tmp_path / "backup"
    shutil.copytree(world.devices[0].home, backup / "home")
    shutil.copytree(world.space(world.devices[0]), backup / "space")
    alex.add_gratitude("after the backup")
    alex.add_gratitude("after the backup, too")
    exchange(world)
    # ... and restored over the newer state; the sync tool carries the older journal over.
    close(alex)
    shutil.rmtree(world.devices[0].home)
    shutil.copytree(backup / "home", world.devices[0].home)
    shutil.rmtree(world.space(world.devices[0]))
    shutil.copytree(backup / "space", world.space(world.devices[0]))
    alex_id = alex.profile.device_id
    sam_copy = world.space(world.devices[1]) / DEVICES / alex_id
    shutil.rmtree(sam_copy)
    shutil.copytree(world.space(world.devices[0]) / DEVICES / alex_id, sam_copy)

    result = sam.sync()
    assert engine.ROLLED_BACK in {p["kind"] for p in result.problems}
    report = check_sam(world)
    assert verify.ROLLED_BACK in [p.kind for p in report.problems], report.text()
    assert texts(sam) >= {"after the backup", "after the backup, too"}

    # The restored machine writes on: a second history under the same numbers.
    restored = service.Session.unlock(world.devices[0].home, PASS, world.clock)
    world.devices[0].session = restored
    for text in ("restored one", "restored two", "restored three"):
        restored.add_gratitude(text)
    world.deliver_all()
    result = sam.sync()
    kinds = {p["kind"] for p in result.problems}
    assert engine.FORKED in kinds, result.problems
    report = check_sam(world)
    assert verify.FORKED in [p.kind for p in report.problems], report.text()
    # Everything from both histories is kept.
    assert texts(sam) >= {
        "before the backup",
        "after the backup",
        "after the backup, too",
        "restored one",
        "restored three",
    }


def test_two_devices_sharing_one_id(tmp_path, monkeypatch):
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    alex.add_gratitude("before the clone")
    exchange(world)
    # Alex's laptop is cloned, profile and all; both copies write, under one device id.
    from .syncsim import Device

    close(alex)
    clone_home, clone_folder = tmp_path / "clone-home", tmp_path / "clone-folder"
    shutil.copytree(world.devices[0].home, clone_home)
    shutil.copytree(world.space(world.devices[0]), clone_folder / "companion")
    profile = dataclasses.replace(alex.profile, home=clone_home, shared_folder=clone_folder)
    clone = service.Session(profile, alex.header, alex._data_key, world.clock)
    clone._open()
    world.devices.append(Device("Alex-clone", clone_folder, clone_home, clone))
    alex.add_gratitude("from the original")
    clone.add_gratitude("from the clone")
    world.deliver_all()  # the same file name with two contents: a conflict copy
    report = check_sam(world)
    conflicts = [p for p in report.problems if p.kind == verify.CONFLICT_COPY]
    assert any("two devices may be writing as one" in p.message for p in conflicts), report.text()
    exchange(world)
    assert {"from the original", "from the clone"} <= texts(sam)
    kinds = {p["kind"] for p in sam.replica.meta("problems")}
    assert kinds & {engine.SHARED_ID, engine.FORKED}
    # On Alex's machine the copy is merged and set aside; verify still lists what sync saw.
    report = check_sam(world, 0)
    assert {p.kind for p in report.problems} & {verify.SHARED_ID, verify.FORKED}, report.text()
    assert any("fresh profile" in p.hint for p in report.problems)


# -- a process killed at random moments -------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import faulthandler, os, signal, sys, traceback
    from pathlib import Path
    from companion import service

    faulthandler.register(signal.SIGUSR1, file=sys.stderr)  # a stack dump if it stalls

    def say(text):
        # One write() per line: a kill can't leave half a line (print() makes two writes).
        os.write(1, (text + "\\n").encode())

    def work(home, tag):
        session = service.Session.unlock(Path(home), sys.argv[1])
        say("ready")
        i = 0
        while True:
            i += 1
            if i % 3 == 0:
                record = session.add_need(f"need {tag} {i}")
            else:
                record = session.add_gratitude(f"note {tag} {i}")
            say(f"{record.type} {record.id}")  # confirmed: the app has said it is saved
            if i % 5 == 0:
                session.sync()

    # One warm process forks a worker per round, so that each round costs no interpreter start.
    for line in sys.stdin:
        home, tag = line.split()
        pid = os.fork()
        if pid == 0:
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # the worker never reads our commands
            try:
                work(home, tag)
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
            os._exit(1)
        say(f"pid {pid}")
        os.waitpid(pid, 0)
        say("dead")
    """
)


def test_killed_at_random_moments_every_confirmed_change_survives(tmp_path, monkeypatch):
    fast_kdf(monkeypatch)
    rounds = int(os.environ.get("COMPANION_KILL_ROUNDS", "100"))
    monkeypatch.setattr(engine, "LOOSE_SEGMENTS", 8)  # the worker compacts with the default
    folder = tmp_path / "shared"
    folder.mkdir()
    alex_home, sam_home = tmp_path / "alex", tmp_path / "sam"
    close(service.init_space(alex_home, folder, "Alex", PASS))
    close(service.join_space(sam_home, folder, "Sam", PASS))
    alex = service.Session.unlock(alex_home, PASS)
    alex.sync()  # Alex learns that Sam joined
    close(alex)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPANION_")}
    errors = tmp_path / "worker.err"
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, PASS],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors.open("w"),
        text=True,
        bufsize=1,
        cwd=REPO,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []

    def pump() -> None:
        for x in proc.stdout:
            seen.append(x)
            lines.put(x)

    threading.Thread(target=pump, daemon=True).start()

    def next_line() -> str:
        try:
            return lines.get(timeout=60)
        except queue.Empty:
            state = ""
            for who in (pid, proc.pid):
                with contextlib.suppress(OSError, TypeError):
                    state += f"{who}: {Path(f'/proc/{who}/wchan').read_text()} "
                    os.kill(who, signal.SIGUSR1)
            time.sleep(1)
            pytest.fail(
                f"the worker stopped talking ({state}) after {seen[-6:]}, "
                f"round {round_no}: {errors.read_text()[-6000:]}"
            )

    rng = random.Random(20261126)
    confirmed: dict[str, str] = {}
    pid = None
    late_rounds = 0
    try:
        for round_no in range(rounds):
            proc.stdin.write(f"{alex_home} r{round_no}\n")
            proc.stdin.flush()
            pid = ready = None
            early = rng.random() < 0.15  # now and then, kill it while it is still opening
            late_rounds += not early
            # Otherwise wait for its first confirmed write, so the kill lands among writes
            # however slowly a loaded machine lets it open.
            wrote = False
            while pid is None or (not early and not (ready and wrote)):
                line = next_line()
                if line.startswith("pid "):
                    pid = int(line.split()[1])
                elif line == "ready\n":
                    ready = True
                else:
                    kind, rid = line.split()
                    confirmed[rid] = kind
                    wrote = True
            time.sleep(rng.uniform(0, 0.004 if early else 0.06))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pytest.fail(f"the worker died by itself: {errors.read_text()[-3000:]}")
            while (line := next_line()) != "dead\n":
                if line.startswith(("ready", "pid ")):
                    continue
                kind, rid = line.split()
                confirmed[rid] = kind
            pid = None
            # Reopen, as the person would: every change the app confirmed is there.
            session = service.Session.unlock(alex_home, PASS)
            assert session.replica.verify_all() == []
            present = {r.id for r in session.core(m.NEED)} | {r.id for r in session.notes()}
            missing = set(confirmed) - present
            assert not missing, f"round {round_no}: lost {sorted(missing)[:5]}"
            close(session)
            if round_no % 20 == 19:
                report = verify.run(alex_home, PASS)
                wrong = [p for p in report.problems if p.kind != verify.TEMP_FILE]
                assert not wrong, f"round {round_no}: {report.text()}"
    finally:
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.kill()
        proc.wait()
    assert len(confirmed) >= late_rounds  # the kills did land among the writes
    # The partner's device gets all of it too.
    sam = service.Session.unlock(sam_home, PASS)
    sam.sync()
    present = {r.id for r in sam.core(m.NEED)} | {r.id for r in sam.notes()}
    assert set(confirmed) <= present


# -- a full disk ------------------------------------------------------------------------------


def _enospc_at(monkeypatch, index: int, counter: list[int]) -> None:
    real_write = os.write

    def write(fd, data):
        counter[0] += 1
        if counter[0] == index:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


def test_disk_full_at_every_write_of_a_change(tmp_path, monkeypatch):
    fast_kdf(monkeypatch)
    folder = tmp_path / "shared"
    folder.mkdir()
    home = tmp_path / "alex"
    close(service.init_space(home, folder, "Alex", PASS))
    close(service.join_space(tmp_path / "sam", folder, "Sam", PASS))
    session = service.Session.unlock(home, PASS)
    session.sync()
    for i in range(3):
        session.add_gratitude(f"kept {i}")
    close(session)
    # How many writes one change makes (outbox, replica, segment, bookkeeping ...).
    counter = [0]
    _enospc_at(monkeypatch, -1, counter)
    session = service.Session.unlock(home, PASS)
    counter[0] = 0
    session.add_gratitude("counting")
    close(session)
    writes = counter[0]
    monkeypatch.setattr(os, "write", REAL_WRITE)
    assert writes >= 2
    kept = {"kept 0", "kept 1", "kept 2", "counting"}
    outcomes = []
    for index in range(1, writes + 1):
        session = service.Session.unlock(home, PASS)
        counter = [0]
        _enospc_at(monkeypatch, index, counter)
        text = f"while full {index}"
        error = None
        try:
            session.add_gratitude(text)
            close(session)
        except StorageFullError as exc:
            error = exc
        finally:
            monkeypatch.setattr(os, "write", REAL_WRITE)
        # The write that failed was reported, with the words a person needs.
        assert counter[0] >= index and error is not None, f"write {index} failed silently"
        assert "disk is full" in error.message
        # either nothing changed, or the change is already safe in the shared folder
        assert "Nothing was lost" in error.message or "saved in the shared folder" in error.message
        assert error.exit_code == 3 and "Free some space" in error.hint
        reopened = service.Session.unlock(home, PASS)
        notes = {n.get("text") for n in reopened.notes()}
        assert kept <= notes, (index, notes)
        outcomes.append(text in notes)
        kept |= notes & {text}  # it may be there: it was safe before the disk filled up
        assert reopened.replica.verify_all() == []
        leftovers = list(tmp_path.rglob(".*.tmp"))
        assert not leftovers, leftovers
        close(reopened)
    report = verify.run(home, PASS)
    assert report.ok, report.text()


def test_disk_full_from_the_command_line(make_partner, monkeypatch):
    fast_kdf(monkeypatch)
    alex = make_partner("alex")
    close(service.init_space(alex.home, alex.shared, "Alex", PASSPHRASE))
    alex.ok("add", "need", "A quiet hour after work")
    before = {p: p.read_bytes() for p in sorted(alex.home.rglob("*")) if p.is_file()}
    full = textwrap.dedent(
        """
        import errno, os, sys
        real = os.write
        def write(fd, data):
            # only the app's own files: every one is written through a hidden temp file
            if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(fd, data)
        os.write = write
        from companion.cli import main
        main(sys.argv[1:])
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", full, "add", "need", "Walks on Sundays"],
        env=alex.env(),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    assert "disk is full" in proc.stderr and "Traceback" not in proc.stderr
    assert "Free some space" in proc.stderr
    after = {p: p.read_bytes() for p in sorted(alex.home.rglob("*")) if p.is_file()}
    assert after == before
    assert [r["text"] for r in alex.ok("list", "needs", "--json").json()] == [
        "A quiet hour after work"
    ]


# -- fuzzed parsers ---------------------------------------------------------------------------

FUZZ_KEY = bytes(range(32))
FUZZ_SPACE, FUZZ_DEVICE = "0123456789abcdef01234567", "0123456789abcdef"
_OP = {
    "op": "create",
    "id": "7ZJ5R0C6W8A1T9B2E3Y4M5Q6P7",
    "type": "gratitude",
    "hlc": f"{1764000000000:015d}.000000.{FUZZ_DEVICE}",
    "device": FUZZ_DEVICE,
    "author": "p1",
    "fields": {"text": "thanks"},
}
GOOD_SEGMENT = segments.encode(FUZZ_KEY, FUZZ_SPACE, FUZZ_DEVICE, 3, "ab" * 32, [_OP])
GOOD_SNAPSHOT = segments.encode_snapshot(
    FUZZ_KEY, FUZZ_SPACE, FUZZ_DEVICE, 1, 4, "", "cd" * 32, [_OP, {**_OP, "op": "set"}]
)

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=4,
)


def _near(value):
    """Mostly the right value, else something of another type (drawing stays cheap)."""
    return st.one_of(st.just(value), st.just(value), SCALARS)


OPS = st.one_of(
    st.lists(st.fixed_dictionaries({k: _near(v) for k, v in _OP.items()}), max_size=2),
    JSON,
)


def edited(good: bytes):
    """The valid file with a byte or two changed, then perhaps cut or extended."""
    return st.tuples(
        st.integers(0, len(good) - 1),
        st.integers(0, 255),
        st.integers(0, len(good) - 1),
        st.integers(0, 255),
        st.integers(0, len(good) + 8),
        st.binary(max_size=8),
    ).map(
        lambda t: (
            bytes(_apply(good, [(t[0], t[1]), (t[2], t[3])])[: t[4]])
            + (t[5] if t[4] >= len(good) else b"")
        )
    )


def _apply(data: bytes, edits) -> bytearray:
    out = bytearray(data)
    for i, value in edits:
        out[i] = value
    return out


def framed(magic: bytes, aad: bytes):
    """Authentic files (sealed with the right key and associated data) holding any payload."""
    payloads = st.one_of(
        st.binary(max_size=64),  # not zlib
        st.binary(max_size=64).map(zlib.compress),  # zlib, not JSON
        JSON.map(lambda v: zlib.compress(json.dumps(v).encode())),
        st.fixed_dictionaries(
            {
                "seq": _near(3),
                "first": _near(1),
                "last": _near(4),
                "prev": _near(""),
                "last_hash": _near(""),
                "ops": OPS,
            }
        ).map(lambda v: zlib.compress(json.dumps(v).encode())),
    )
    return payloads.map(
        lambda plain: (
            segments._HEADER.pack(magic, segments.VERSION, 28 + len(plain))
            + crypto.seal(FUZZ_KEY, plain, aad)
        )
    )


def _segment_inputs():
    return st.one_of(
        st.binary(max_size=200),
        st.binary(max_size=120).map(lambda b: segments._HEADER.pack(b"CSEG", 1, len(b)) + b),
        edited(GOOD_SEGMENT),
        framed(b"CSEG", segments.aad(FUZZ_SPACE, FUZZ_DEVICE, 3)),
    )


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=list(HealthCheck))
@given(_segment_inputs())
@example(GOOD_SEGMENT)
def test_fuzz_segment_decoder(data):
    try:
        segment = segments.decode(FUZZ_KEY, FUZZ_SPACE, FUZZ_DEVICE, 3, data)
    except JOURNAL_ERRORS:
        return
    assert segment.seq == 3 and all(segments.valid_op(op) for op in segment.ops)


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.binary(max_size=200),
        edited(GOOD_SNAPSHOT),
        framed(b"CSNP", segments.snapshot_aad(FUZZ_SPACE, FUZZ_DEVICE, 1, 4)),
    )
)
@example(GOOD_SNAPSHOT)
def test_fuzz_snapshot_decoder(data):
    try:
        snap = segments.decode_snapshot(FUZZ_KEY, FUZZ_SPACE, FUZZ_DEVICE, 1, 4, data)
    except JOURNAL_ERRORS:
        return
    assert (snap.first, snap.last) == (1, 4)
    assert all(segments.valid_op(op) for op in snap.ops)


def _good_space_file() -> bytes:
    header = spacefile.SpaceHeader(
        space_id="0123456789abcdef01234567",
        kdf={**FAST_KDF, "salt": crypto.b64e(b"\0" * 16)},
        wrapped_key=crypto.b64e(b"\1" * 60),
        key_check="0" * 32,
        key_version=1,
    )
    return header.to_bytes()


GOOD_SPACE = _good_space_file()


def _checksummed(body: dict) -> bytes:
    body = {k: v for k, v in body.items() if k != "checksum"}
    canon = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    body["checksum"] = hashlib.sha256(canon).hexdigest()
    return json.dumps(body).encode()


_BODY = json.loads(GOOD_SPACE)
_KDF_VALUES = st.one_of(st.integers(-2, 2**20), SCALARS)
SPACE_BODIES = st.fixed_dictionaries(
    {
        **{k: _near(v) for k, v in _BODY.items() if k not in ("kdf", "checksum")},
        "kdf": st.one_of(
            JSON,
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(["argon2id", "scrypt", "pbkdf2", ""]),
                    "salt": st.one_of(st.text(max_size=30), SCALARS),
                },
                optional={
                    k: _KDF_VALUES for k in ("iterations", "lanes", "memory_cost", "n", "r", "p")
                },
            ),
        ),
    }
)


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.binary(max_size=300),
        edited(GOOD_SPACE),
        JSON.map(lambda v: json.dumps(v).encode()),
        SPACE_BODIES.map(_checksummed),
    )
)
@example(GOOD_SPACE)
def test_fuzz_space_file_parser(data):
    try:
        header = spacefile.parse(data, Path("space.json"))
    except DataError:
        return
    assert isinstance(header, spacefile.SpaceHeader)


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.binary(max_size=200),
        st.binary(max_size=100).map(lambda b: storage.MAGIC + b),
        st.one_of(JSON.map(lambda v: json.dumps(v).encode()), st.binary(max_size=60)).map(
            lambda plain: storage.MAGIC + crypto.seal(FUZZ_KEY, zlib.compress(plain), b"aad")
        ),
    )
)
def test_fuzz_replica_file_decoder(data):
    try:
        found = storage.decode(data, FUZZ_KEY, b"aad", Path("core.db"))
    except StorageDamaged:
        return
    assert isinstance(found, dict)


# -- known crashes on crafted input (product bugs: see the reasons) ----------------------------


@pytest.mark.parametrize(
    "data", [b"[" * 100_000, b'{"app": ' + b"1" * 5000 + b"}"], ids=["nested", "long-number"]
)
def test_space_file_parser_survives_pathological_json(data):
    with pytest.raises(DataError):
        spacefile.parse(data, Path("space.json"))


@pytest.mark.parametrize(
    "kdf",
    [
        {"salt": "not base64!"},
        {"salt": ""},
        {"iterations": 0},
        {"lanes": 0},
        {"memory_cost": 2**40},
    ],
    ids=["salt", "short-salt", "iterations", "lanes", "memory"],
)
def test_unlock_with_crafted_kdf_parameters_is_damage_not_a_crash(kdf):
    body = json.loads(GOOD_SPACE)
    body["kdf"] = {**body["kdf"], **kdf}
    with pytest.raises((DataError, UnlockError)):
        spacefile.parse(_checksummed(body), Path("space.json")).unlock(PASS)


def test_authentic_but_deeply_nested_segment_is_invalid_not_a_crash():
    plain = zlib.compress(b"[" * 100_000)
    aad = segments.aad(FUZZ_SPACE, FUZZ_DEVICE, 3)
    data = segments._HEADER.pack(b"CSEG", 1, 28 + len(plain)) + crypto.seal(FUZZ_KEY, plain, aad)
    with pytest.raises(SegmentInvalid):
        segments.decode(FUZZ_KEY, FUZZ_SPACE, FUZZ_DEVICE, 3, data)


# -- the command line: each failure its own message and exit code -----------------------------


def test_wrong_passphrase_damaged_key_check_and_tampering_are_told_apart(make_partner, monkeypatch):
    fast_kdf(monkeypatch)
    alex, sam = make_partner("alex"), make_partner("sam")
    close(service.init_space(alex.home, alex.shared, "Alex", PASSPHRASE))
    close(service.join_space(sam.home, sam.shared, "Sam", PASSPHRASE))
    alex.ok("add", "need", "A quiet hour after work")
    space = alex.shared / "companion" / "space.json"
    good = space.read_bytes()

    wrong = alex.run("status", COMPANION_PASSPHRASE="not the passphrase at all")
    assert wrong.code == 2 and "That passphrase doesn't open this space" in wrong.err

    # A damaged key-check value: the checksum catches it, and it is damage, not a wrong
    # passphrase; the way out is this device's copy.
    body = json.loads(good)
    body["key_check"] = body["key_check"][:-1] + ("0" if body["key_check"][-1] != "0" else "1")
    space.write_bytes(json.dumps(body, indent=2).encode())
    damaged = alex.run("status")
    assert damaged.code == 3 and "space.json is damaged" in damaged.err
    assert str(alex.home / "space.json") in damaged.err
    report = alex.run("verify")
    assert report.code == 3 and "space.json is damaged" in report.out
    space.write_bytes(good)

    # A segment changed in the shared folder: sync reports it and goes on (exit 0);
    # verify lists it as tampered (exit 3).
    newest = max((alex.shared / "companion" / DEVICES / _device(alex)).glob("*.seg"))
    data = bytearray(newest.read_bytes())
    data[-4] ^= 0x10
    newest.write_bytes(bytes(data))
    synced = sam.run("sync")
    assert synced.code == 0 and "damaged or tampered with" in synced.err
    report = sam.run("verify")
    assert report.code == 3 and "Damaged or tampered with" in report.out
    # A replica file changed on this device: exit 3, and the rebuild to run.
    local = sam.home / "replica" / "core.db"
    data = bytearray(local.read_bytes())
    data[-4] ^= 0x10
    local.write_bytes(bytes(data))
    broken = sam.run("list", "needs")
    assert broken.code == 3 and "changed outside companion" in broken.err
    assert "companion sync --rebuild" in broken.err
    texts_seen = {
        wrong.err.splitlines()[0],
        damaged.err.splitlines()[0],
        broken.err.splitlines()[0],
    }
    assert len(texts_seen) == 3
    for result in (wrong, damaged, synced, report, broken):
        assert "Traceback" not in result.err


def _device(partner) -> str:
    return json.loads((partner.home / "profile.json").read_text())["device_id"]


# -- product bugs found on the way, fixed: kept as regression tests --------------------------


def test_a_sealed_checkin_survives_a_rebuild_of_the_replica(tmp_path, monkeypatch):
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    alex.checkin("2025-W48", supported="the tea", attention="When I was tired, I felt alone")
    exchange(world)
    world.devices[0].session = service.rebuild_replica(alex)
    sam.checkin("2025-W48", supported="the walk", attention="When plans changed, I felt unsure")
    exchange(world)
    answers = {c.get("supported") for c in sam.checkins()}
    assert answers == {"the tea", "the walk"}, answers


def test_an_authentic_record_with_a_far_future_id_does_not_stop_sync(tmp_path, monkeypatch):
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    op = alex.op("create", "0" * 16 + "Z" * 10, m.GRATITUDE, {"text": "from far ahead"})
    own = max(int(p.stem) for p in alex.journal.own_dir.glob("*.seg"))
    alex.journal.write(own + 1, alex.journal.digest_of(alex.profile.device_id, own), [op])
    alex.add_gratitude("an ordinary note")
    world.deliver_all()
    sam.sync()
    assert "an ordinary note" in texts(sam)


def test_an_old_space_json_put_back_is_not_taken_silently(tmp_path, monkeypatch):
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    sam = world.devices[1]
    shared = world.space(sam) / "space.json"
    old = shared.read_bytes()
    sam.session.change_passphrase("a brand new passphrase")
    close(sam.session)
    shared.write_bytes(old)
    try:
        service.Session.unlock(sam.home, PASS)
    except DataError:
        return  # refused: good
    copy = spacefile.load(sam.home / "space.json")
    assert copy.key_version == 2, "the newer copy was replaced by the older space.json"


def test_a_segment_damaged_after_it_was_read_is_damage_not_a_fork(tmp_path, monkeypatch):
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    alex.add_gratitude("read before the damage")
    exchange(world)
    newest = max(alex_dir(world).glob("*.seg"))
    data = bytearray(newest.read_bytes())
    data[-5] ^= 0x20
    newest.write_bytes(bytes(data))
    kinds = {p["kind"] for p in sam.sync().problems}
    assert kinds == {engine.DAMAGED}, kinds
