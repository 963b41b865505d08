"""`companion verify`: every kind of problem it knows is found, reported once, with what to do.

Most tests run verify in-process on a simulated world (a cheap KDF, folder copies per
device); a few drive the real command to check exit codes, `--json` and the words people read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from companion import service, verify
from companion.store import spacefile
from companion.sync import engine
from companion.sync.journal import ASIDE, DEVICES, segment_name

from .conftest import PASSPHRASE
from .syncsim import PASS, World, fast_kdf

WRONG = "not the passphrase we chose"


@pytest.fixture
def world(tmp_path, monkeypatch):
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    alex, sam = (d.session for d in world.devices)
    for text in ("one", "two", "three"):
        alex.add_gratitude(text)
    sam.add_need("A quiet hour after work")
    exchange(world)
    return world


def exchange(world: World) -> None:
    for _ in range(2):
        world.deliver_all()
        for device in world.devices:
            device.session.sync()


def run(world: World, index: int = 1) -> verify.Report:
    session = world.devices[index].session
    if hasattr(session, "close"):
        session.close()
    return verify.run(world.devices[index].home, PASS)


def kinds(report: verify.Report) -> list[str]:
    return [p.kind for p in report.problems]


def device_dir(world: World, of: int, in_folder_of: int) -> Path:
    device_id = world.devices[of].session.profile.device_id
    return world.space(world.devices[in_folder_of]) / DEVICES / device_id


def flip(path: Path, index: int = -5) -> None:
    data = bytearray(path.read_bytes())
    data[index] ^= 0x41
    path.write_bytes(bytes(data))


def test_a_healthy_space_checks_out(world):
    report = run(world)
    assert report.ok, report.text()
    sam_dir = world.space(world.devices[1]) / DEVICES
    segments = list(sam_dir.rglob("*.seg"))
    assert report.checked["segment"] == len(segments) >= 5
    assert report.checked["space"] == 2 and report.checked["replica"] >= 3
    assert report.text().startswith(f"Everything checks out: {report.files} files (")
    assert json.loads(json.dumps(report.to_json()))["ok"] is True


def test_damaged_truncated_and_misplaced_journal_files(world):
    alex_dir = device_dir(world, 0, in_folder_of=1)
    sam_dir = device_dir(world, 1, in_folder_of=1)
    segs = sorted(alex_dir.glob("*.seg"))
    flip(segs[1])
    segs[2].write_bytes(segs[2].read_bytes()[:40])
    # Alex's last segment, copied into Sam's directory under Sam's next number,
    shutil.copy(segs[3], sam_dir / segment_name(len(list(sam_dir.glob("*.seg"))) + 1))
    # and again, renamed, in Alex's own directory.
    shutil.copy(segs[3], alex_dir / segment_name(9))
    report = run(world)
    by_path = {Path(p.path).name + "@" + Path(p.path).parent.name[:4]: p for p in report.problems}
    assert by_path[f"{segs[1].name}@{alex_dir.name[:4]}"].kind == verify.DAMAGED
    assert by_path[f"{segs[2].name}@{alex_dir.name[:4]}"].kind == verify.INCOMPLETE
    misplaced = [p for p in report.problems if p.kind == verify.MISPLACED]
    assert len(misplaced) == 2
    for problem in misplaced:
        assert f"segment 4 of device {alex_dir.name[:8]}" in problem.message
    # A file put there from elsewhere is not taken for the end of Alex's journal: no gap.
    assert verify.GAP not in kinds(report), report.text()
    assert all(p.hint for p in report.problems)


def test_segment_from_another_space_is_damage(world, tmp_path):
    other = World(tmp_path / "other")
    other.setup(["Kim"])
    foreign = sorted((other.space(other.devices[0]) / DEVICES).rglob("*.seg"))[0]
    alex_dir = device_dir(world, 0, in_folder_of=1)
    shutil.copy(foreign, alex_dir / segment_name(5))
    report = run(world)
    [problem] = report.problems
    assert (problem.kind, problem.seq) == (verify.DAMAGED, 5)
    assert "another space" in problem.message


def test_unknown_conflict_and_temp_files(world):
    alex_dir = device_dir(world, 0, in_folder_of=1)
    own_dir = device_dir(world, 1, in_folder_of=1)
    (alex_dir / "notes.txt").write_text("hello")
    (alex_dir.parent / "stray.bin").write_bytes(b"x")
    (alex_dir / ".0000000009.seg.0badc0de.tmp").write_bytes(b"CSEG")
    (alex_dir / ".syncthing.0000000009.seg.tmp").write_bytes(b"CSEG")  # the sync tool's: fine
    first = sorted(own_dir.glob("*.seg"))[0]
    shutil.copy(first, own_dir / f"{first.stem} (1).seg")
    shutil.copy(
        sorted(alex_dir.glob("*.seg"))[1],
        alex_dir / f"{first.stem}.sync-conflict-20261126-101500-ABCDEFG.seg",
    )
    temp = world.devices[1].home / "replica" / ".core.db.12345678.tmp"
    temp.write_bytes(b"half")
    temp.chmod(0o600)
    report = run(world)
    found = {(p.kind, Path(p.path).name) for p in report.problems}
    conflict = f"{first.stem}.sync-conflict-20261126-101500-ABCDEFG.seg"
    assert found == {
        (verify.UNKNOWN_FILE, "notes.txt"),
        (verify.UNKNOWN_FILE, "stray.bin"),
        (verify.TEMP_FILE, ".0000000009.seg.0badc0de.tmp"),
        (verify.TEMP_FILE, ".core.db.12345678.tmp"),
        (verify.CONFLICT_COPY, f"{first.stem} (1).seg"),
        # a "conflict copy" of segment 1 that holds another segment does not open as one
        (verify.DAMAGED, conflict),
    }
    same = next(p for p in report.problems if p.path.endswith(" (1).seg"))
    assert "same bytes" in same.message and "this device" in same.hint
    assert [n.kind for n in report.notes] == [verify.TEMP_FILE]


def test_a_real_conflict_copy_is_listed_until_set_aside_then_remembered(world):
    alex, sam = (d.session for d in world.devices)
    alex_dir = device_dir(world, 0, in_folder_of=1)
    last = sorted(alex_dir.glob("*.seg"))[-1]
    # Another device writing as Alex made a different segment under the same number.
    seq = int(last.stem)
    data = alex.journal.key, alex.profile.space_id, alex.profile.device_id
    ops = [alex.op("create", alex.new_id(), "gratitude", {"text": "from the clone", "to": sam.me})]
    from companion.sync import segments

    prev = segments.decode(*data, seq, last.read_bytes()).prev
    conflict = alex_dir / f"{last.stem}.sync-conflict-20261126-101500-ABCDEFG.seg"
    conflict.write_bytes(segments.encode(*data, seq, prev, ops))
    report = run(world)
    [problem] = report.problems
    assert problem.kind == verify.CONFLICT_COPY and "two devices" in problem.message
    assert f"Device {alex.profile.device_id[:8]} when it syncs" in problem.hint
    # Sam's sync merges it; Alex's (the owner's) sets it aside; verify then lists what the
    # sync noticed: two devices share one id.
    sam.sync()
    world.deliver_all()
    alex.sync()
    assert (device_dir(world, 0, in_folder_of=0) / ASIDE).is_dir()
    report = run(world, 0)
    assert kinds(report) == [verify.SHARED_ID]
    assert "fresh profile" in report.problems[0].hint


def test_gaps_rollbacks_and_forks_against_this_devices_cursors(world):
    alex, sam = (d.session for d in world.devices)
    alex_dir = device_dir(world, 0, in_folder_of=1)
    backup = world.root / "backup"
    shutil.copytree(alex_dir, backup)
    alex.add_gratitude("four")
    alex.add_gratitude("five")
    exchange(world)
    assert run(world).ok
    # An older copy of Alex's journal is put back over the newer one.
    shutil.rmtree(alex_dir)
    shutil.copytree(backup, alex_dir)
    shutil.rmtree(backup)
    report = run(world)
    assert kinds(report) == [verify.ROLLED_BACK]
    assert "went back" in report.problems[0].message
    assert engine.ROLLED_BACK in {p["kind"] for p in sam.sync().problems}
    # The restored machine writes on from the old state: a second history under one id.
    # (Alex's own folder copy is rolled back the same way, and so is Alex's profile.)
    alex_own = device_dir(world, 0, in_folder_of=0)
    for path in sorted(alex_own.glob("*.seg"))[-2:]:
        path.unlink()
    fresh = service.Session.unlock(world.devices[0].home, PASS, world.clock)
    fresh.replica.set_meta(own={"seq": 0, "hash": ""}, cursors={})
    for text in ("six", "seven", "eight"):
        fresh.add_gratitude(text)
    world.deliver_all()
    report = run(world)
    assert verify.FORKED in kinds(report), report.text()
    assert any("fresh profile" in p.hint for p in report.problems)
    # A middle segment goes missing.
    middle = sorted(alex_dir.glob("*.seg"))[2]
    middle.unlink()
    report = run(world)
    assert verify.GAP in kinds(report)


def test_space_file_damage_the_device_copy_and_a_rolled_back_space_file(world):
    sam = world.devices[1]
    shared = world.space(sam) / "space.json"
    good = shared.read_bytes()
    flip(shared, 30)
    report = run(world)
    [problem] = report.problems
    assert problem.kind == verify.SPACE_FILE_DAMAGED
    assert f"copy it to {shared}" in problem.hint
    # verify went on with the device's copy: the journal was still checked
    assert report.checked["segment"] >= 5
    shared.write_bytes(good)
    flip(sam.home / "space.json", 30)
    assert kinds(run(world)) == [verify.SPACE_COPY]
    shutil.copy(shared, sam.home / "space.json")
    # The passphrase changes; then someone puts the old space.json back.
    sam.session.change_passphrase("a brand new passphrase")
    shared.write_bytes(good)
    for passphrase in ("a brand new passphrase", PASS):
        report = verify.run(sam.home, passphrase)
        assert kinds(report) == [verify.SPACE_FILE_DAMAGED]
        assert "old passphrase opens the space again" in report.problems[0].message
    # A lock changed on purpose (its checksum made to match) refuses the passphrase that
    # opens this device's copy: that is told apart from a wrong passphrase.
    shutil.copy(sam.home / "space.json", shared)
    body = json.loads(shared.read_text())
    body.pop("checksum")
    body["key_check"] = "0" * 32
    canon = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    body["checksum"] = hashlib.sha256(canon).hexdigest()
    shared.write_text(json.dumps(body))
    report = verify.run(sam.home, "a brand new passphrase")
    assert kinds(report) == [verify.SPACE_FILE_DAMAGED]
    assert "refuses the passphrase that opens this device's copy" in report.problems[0].message
    # A passphrase that opens nothing: what can be checked without it is still reported.
    # (the copy that disagrees with the shared header is named before it)
    refused = verify.run(sam.home, WRONG)
    assert kinds(refused) == [verify.SPACE_COPY, verify.UNLOCK_REFUSED]
    assert "doesn't open" in refused.problems[-1].message


def test_replica_outbox_and_modes(world):
    sam = world.devices[1]
    replica = sam.home / "replica"
    flip(replica / "core.db")
    (replica / "notes.db").write_bytes(b"?")
    outbox = sam.home / "outbox"
    outbox.mkdir(exist_ok=True)
    (outbox / "000000000000001-000000-abc.op").write_bytes(os.urandom(60))
    for path in (replica / "notes.db", *outbox.iterdir()):
        path.chmod(0o600)
    (sam.home / "profile.json").chmod(0o644)
    (replica).chmod(0o755)
    report = run(world)
    found = {(p.kind, Path(p.path).name) for p in report.problems}
    assert found == {
        (verify.REPLICA_DAMAGED, "core.db"),
        (verify.UNKNOWN_FILE, "notes.db"),
        (verify.OUTBOX_DAMAGED, "000000000000001-000000-abc.op"),
        (verify.MODE, "profile.json"),
        (verify.MODE, "replica"),
    }
    hints = {Path(p.path).name: p.hint for p in report.problems}
    assert "companion sync --rebuild" in hints["core.db"]
    assert "chmod 600" in hints["profile.json"] and "chmod 700" in hints["replica"]


def test_unreachable_folder_and_wrong_passphrase(world):
    sam = world.devices[1]
    space = world.space(sam)
    refused = verify.run(sam.home, WRONG)  # reported, with what needs no key (nothing here)
    assert kinds(refused) == [verify.UNLOCK_REFUSED]
    assert "doesn't open" in refused.problems[0].message
    space.rename(space.with_name("unmounted"))
    report = run(world)
    assert kinds(report) == [verify.FOLDER_MISSING]
    assert "Mount or sync" in report.problems[0].hint


# -- the command ------------------------------------------------------------------------------


@pytest.fixture
def fast_couple(make_partner, monkeypatch):
    """Alex and Sam set up in-process with a cheap KDF; the CLI reads it from space.json."""
    fast_kdf(monkeypatch)
    alex, sam = make_partner("alex"), make_partner("sam")
    sessions = [
        service.init_space(alex.home, alex.shared, "Alex", PASSPHRASE),
        service.join_space(sam.home, sam.shared, "Sam", PASSPHRASE),
    ]
    sessions[0].sync()
    sessions[0].add_gratitude("Thank you for the soup")
    for session in sessions:
        if hasattr(session, "close"):
            session.close()
    return alex, sam


def test_verify_command(fast_couple):
    alex, sam = fast_couple
    result = sam.ok("verify")
    assert result.out.startswith("Everything checks out: ") and "segments" in result.out
    assert sam.ok("verify", "--json").json()["ok"] is True

    segment = sorted((alex.shared / "companion" / DEVICES).rglob("*.seg"))[-1]
    flip(segment)
    (sam.home / "space.json").chmod(0o644)
    result = sam.run("verify")
    assert result.code == 3, result
    assert "Traceback" not in result.err
    assert "2 problems:" in result.out and str(segment) in result.out
    assert "Damaged or tampered with" in result.out and "chmod 600" in result.out
    assert "verify found 2 problem(s)" in result.err
    data = sam.run("verify", "--json")
    assert data.code == 3
    body = data.json()
    assert body["ok"] is False
    assert sorted(p["kind"] for p in body["problems"]) == [verify.DAMAGED, verify.MODE]

    wrong = sam.run("verify", COMPANION_PASSPHRASE=WRONG)
    assert wrong.code == 2 and "That passphrase doesn't open this space" in wrong.err
    # what can be checked without the key is still listed: here the copy's mode
    assert "chmod 600" in wrong.out and "Only what can be checked without it" in wrong.out
    nobody = sam.run("verify", COMPANION_HOME=str(sam.home.parent / "nobody"))
    assert nobody.code == 1 and "no companion profile" in nobody.err


def test_verify_writes_nothing(world):
    def snapshot(*roots: Path) -> dict[str, tuple[bytes, int]]:
        return {
            str(p): (p.read_bytes(), p.stat().st_mtime_ns)
            for root in roots
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    sam = world.devices[1]
    flip(sorted(device_dir(world, 0, in_folder_of=1).glob("*.seg"))[0])
    flip(sam.home / "replica" / "local.db")
    sam.session.close() if hasattr(sam.session, "close") else None
    before = snapshot(sam.home, sam.folder)
    report = verify.run(sam.home, PASS)
    assert {p.kind for p in report.problems} == {verify.DAMAGED, verify.REPLICA_DAMAGED}
    assert snapshot(sam.home, sam.folder) == before


def test_space_header_equal_despite_whitespace(world):
    """Reformatting space.json by hand changes no content: nothing to report."""
    shared = world.space(world.devices[1]) / "space.json"
    body = json.loads(shared.read_text())
    shared.write_text(json.dumps(body))
    assert spacefile.load(shared) == spacefile.load(world.devices[1].home / "space.json")
    assert run(world).ok


def test_a_key_remembered_on_this_device_opens_without_asking(world, monkeypatch):
    from companion.store import keychain

    monkeypatch.setattr(keychain, "keychain_available", lambda: False)
    sam = world.devices[1]
    sam.session.remember(allow_file=True)

    def ask() -> str:
        raise AssertionError("asked for the passphrase")

    report = verify.run(sam.home, ask, remembered=True)
    assert report.ok, report.text()
    [note] = report.notes
    assert "anyone with a copy of this disk" in note.message
    # A remembered key that no longer fits is not used: the passphrase is asked for.
    (sam.home / keychain.KEY_FILE).write_text(base64.b64encode(b"k" * 32).decode())
    with pytest.raises(AssertionError, match="asked"):
        verify.run(sam.home, ask, remembered=True)
    assert verify.run(sam.home, PASS, remembered=True).ok


@pytest.mark.parametrize(
    "damage",
    [
        lambda body: {**body, "kdf": {**body["kdf"], "salt": "not base64!"}},
        lambda body: {**body, "kdf": {**body["kdf"], "iterations": 0}},
        lambda body: {**body, "kdf": {**body["kdf"], "memory_cost": 2**40}},
        lambda body: "[" * 100_000,
    ],
    ids=["salt", "iterations", "memory", "nested"],
)
def test_a_crafted_space_file_is_reported_not_a_crash(world, damage):
    """Where other commands still stop with a traceback (see test_adversarial), verify reports."""
    sam = world.devices[1]
    shared = world.space(sam) / "space.json"
    body = json.loads(shared.read_text())
    body.pop("checksum")
    body = damage(body)
    if isinstance(body, dict):
        canon = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        body["checksum"] = hashlib.sha256(canon).hexdigest()
        body = json.dumps(body)
    shared.write_text(body)
    report = run(world)
    assert kinds(report) == [verify.SPACE_FILE_DAMAGED], report.text()
    assert report.checked["segment"] >= 5  # it went on with this device's copy


def test_the_keys_of_sealed_checkins_are_checked_too(world):
    sam = world.devices[1]
    sam.session.checkin("2025-W48", supported="the walk", attention="When plans changed, I felt")
    keys = sam.home / "keys.db"
    assert keys.is_file()
    report = run(world)
    assert report.ok, report.text()
    flip(keys)
    [problem] = run(world).problems
    assert (problem.kind, problem.path) == (verify.REPLICA_DAMAGED, str(keys))
    assert "can't be rebuilt" in problem.hint
