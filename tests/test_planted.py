"""Entries planted in the shared folder by someone who can write there but holds no key: FIFOs,
links to /dev/zero or out of the folder, files where folders belong, names with numbers far
ahead, a space file asking for a huge key derivation.

Each runs the real `companion` command under a timeout. What each must show: no command
hangs or prints a traceback, nothing outside the folder changes (a decoy's mtime and mode are
checked), the partner's later changes still arrive (once the folder itself is usable), and
what was planted is reported by `status` and `verify`.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.domain import model as m
from companion.domain import schema
from companion.store import bounded, signing, spacefile
from companion.sync import engine, journal, padding, segments
from companion.sync.problems import NOT_A_FOLDER, UNKNOWN_ENTRY

from .conftest import CliResult, Partner

# No command here may take longer than this (a hang shows as a timeout, never as a stuck CI).
TIMEOUT = 60
_SEGMENT = re.compile(r"^(\d{10})\.seg$")
_SNAPSHOT = re.compile(r"^snap-(\d{10})-(\d{10})\.snap$")


def run(partner: Partner, *args: str) -> CliResult:
    """One command, which must end within TIMEOUT and never print a traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "companion", *args],
        env=partner.env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    result = CliResult(proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in result.err, result.err
    assert result.code in (0, 1, 2, 3), result
    return result


def ok(partner: Partner, *args: str) -> CliResult:
    result = run(partner, *args)
    assert result.code == 0, f"{args} exited {result.code}\n{result.out}\n{result.err}"
    return result


def device_id(partner: Partner) -> str:
    return json.loads((partner.home / "profile.json").read_text())["device_id"]


def space(partner: Partner) -> Path:
    return partner.shared / "companion"


def own_dir(partner: Partner) -> Path:
    return space(partner) / "devices" / device_id(partner)


def next_seq(folder: Path) -> int:
    """The number the device writing in `folder` takes next (from the names of its files)."""
    top = 0
    for name in os.listdir(folder):
        if match := _SEGMENT.match(name):
            top = max(top, int(match.group(1)))
        elif match := _SNAPSHOT.match(name):
            top = max(top, int(match.group(2)))
    return top + 1


def notes(partner: Partner) -> set[str]:
    return {n["text"] for n in ok(partner, "list", "gratitude", "--json").json()}


def problems(partner: Partner) -> list[dict]:
    return run(partner, "status", "--json").json()["problems"]


def kinds(partner: Partner) -> set[str]:
    return {p["kind"] for p in problems(partner)}


def verify_kinds(partner: Partner) -> set[str]:
    result = run(partner, "verify", "--json")
    return {f["kind"] for f in json.loads(result.out)["problems"]}


class Decoy:
    """A folder outside the shared folder, with a file in it: nothing may touch either."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "decoy"
        self.dir.mkdir()
        self.file = self.dir / "keep.txt"
        self.file.write_text("not companion's\n")
        os.chmod(self.dir, 0o755)
        os.chmod(self.file, 0o644)
        self.before = self.state()

    def state(self) -> dict[str, tuple[int, int]]:
        found = {}
        for root, dirs, files in os.walk(self.dir):
            for name in [".", *dirs, *files]:
                path = Path(root) / name
                st = path.lstat()
                found[str(path.relative_to(self.dir))] = (st.st_mtime_ns, stat.S_IMODE(st.st_mode))
        return found

    def untouched(self) -> None:
        assert self.state() == self.before


@pytest.fixture
def decoy(tmp_path: Path) -> Decoy:
    return Decoy(tmp_path)


def arrives(writer: Partner, reader: Partner, text: str) -> None:
    """A note `writer` adds after the planting reaches `reader`."""
    ok(writer, "add", "gratitude", text)
    run(writer, "sync")
    run(reader, "sync")
    assert text in notes(reader)


# -- entries that are not regular files -------------------------------------------------------


@pytest.mark.parametrize("whose", ["partner's", "own"])
def test_a_fifo_named_like_a_segment_is_never_read(couple, whose):
    alex, sam = couple
    # In Alex's directory: Sam reads it as a partner's, Alex as its own.
    fifo = own_dir(alex) / f"{next_seq(own_dir(alex)):010d}.seg"
    os.mkfifo(fifo)
    victim = sam if whose == "partner's" else alex
    ok(victim, "list", "gratitude")
    arrives(alex, sam, "after the pipe")
    arrives(sam, alex, "and back")
    assert UNKNOWN_ENTRY in kinds(victim)
    assert any(fifo.name in p["message"] for p in problems(victim))
    assert UNKNOWN_ENTRY in verify_kinds(victim)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # never moved or replaced


def test_a_link_to_dev_zero_named_like_a_segment_is_never_read(couple, decoy):
    alex, sam = couple
    link = own_dir(alex) / f"{next_seq(own_dir(alex)):010d}.seg"
    link.symlink_to("/dev/zero")
    (own_dir(alex) / "0000000001 (1).seg").symlink_to(decoy.file)  # a "conflict copy" too
    arrives(alex, sam, "after the link")
    for partner in (alex, sam):
        assert UNKNOWN_ENTRY in kinds(partner)
        assert UNKNOWN_ENTRY in verify_kinds(partner)
    assert link.is_symlink()
    decoy.untouched()


@pytest.mark.parametrize("plant", ["fifo", "zero"])
def test_space_json_that_is_not_a_file_hangs_nothing(couple, plant):
    alex, sam = couple
    header = space(alex) / "space.json"
    header.unlink()
    if plant == "fifo":
        os.mkfifo(header)
    else:
        header.symlink_to("/dev/zero")
    arrives(alex, sam, f"past the {plant} space file")
    assert UNKNOWN_ENTRY in kinds(sam)
    report = run(sam, "verify", "--json")
    found = json.loads(report.out)["problems"]
    assert any("space.json" in f["path"] and "not a file" in f["message"] for f in found), found


# -- folders that are links or files ----------------------------------------------------------


def conflict_copy(partner: Partner) -> bytes:
    """A byte copy of the partner's own newest segment, as a sync tool's conflict copy."""
    folder = own_dir(partner)
    newest = f"{next_seq(folder) - 1:010d}.seg"
    data = (folder / newest).read_bytes()
    (folder / newest.replace(".seg", " (1).seg")).write_bytes(data)
    return data


@pytest.mark.parametrize("plant", ["link", "file"])
def test_an_aside_that_is_not_a_folder_stops_no_sync(couple, decoy, plant):
    alex, sam = couple
    data = conflict_copy(sam)
    aside = own_dir(sam) / "aside"
    if plant == "link":
        aside.symlink_to(decoy.dir, target_is_directory=True)
    else:
        aside.write_bytes(data)
    for _ in range(2):
        arrives(alex, sam, f"past the {plant} aside {_}")
    assert NOT_A_FOLDER in kinds(sam)
    assert NOT_A_FOLDER in verify_kinds(sam)
    decoy.untouched()
    # once it is a folder again, the copy is set aside as usual
    aside.unlink()
    ok(sam, "sync")
    assert (own_dir(sam) / "aside").is_dir()
    assert NOT_A_FOLDER not in kinds(sam)


def test_a_linked_device_folder_is_never_written_through(couple, decoy):
    alex, sam = couple
    mine = own_dir(sam)
    moved = decoy.dir / "sam"
    shutil.move(mine, moved)
    mine.symlink_to(moved, target_is_directory=True)
    decoy.before = decoy.state()
    ok(sam, "add", "gratitude", "kept until the folder is right")
    run(sam, "sync")
    status = run(sam, "status", "--json").json()
    assert status["waiting"] == 1
    assert NOT_A_FOLDER in {p["kind"] for p in status["problems"]}
    assert "Everything is shared" not in run(sam, "status").out
    decoy.untouched()
    arrives(alex, sam, "still reaches Sam")
    # put right: the waiting change goes out
    mine.unlink()
    shutil.move(moved, mine)
    ok(sam, "sync")
    ok(alex, "sync")
    assert "kept until the folder is right" in notes(alex)


@pytest.mark.parametrize("which", ["devices", "companion"])
def test_a_linked_devices_or_space_folder_is_never_written_through(couple, decoy, which):
    alex, sam = couple
    real = space(sam) / "devices" if which == "devices" else space(sam)
    moved = decoy.dir / which
    shutil.move(real, moved)
    real.symlink_to(moved, target_is_directory=True)
    decoy.before = decoy.state()
    ok(sam, "add", "gratitude", f"waits while {which} is a link")
    run(sam, "sync")
    assert run(sam, "status", "--json").json()["waiting"] == 1
    assert NOT_A_FOLDER in kinds(sam)
    assert NOT_A_FOLDER in verify_kinds(sam)
    decoy.untouched()
    real.unlink()
    shutil.move(moved, real)
    arrives(alex, sam, f"after {which} is a folder again")
    assert f"waits while {which} is a link" in notes(alex)


def test_a_file_where_the_space_folder_belongs(couple, tmp_path):
    alex, sam = couple
    kept = tmp_path / "kept-space"
    shutil.move(space(sam), kept)
    space(sam).write_text("not a folder\n")
    ok(sam, "add", "gratitude", "written while the space is a file")
    result = run(sam, "status")
    assert result.code == 0, result
    assert "should be a folder" in result.out
    assert NOT_A_FOLDER in verify_kinds(sam)
    space(sam).unlink()
    shutil.move(kept, space(sam))
    ok(sam, "sync")
    ok(alex, "sync")
    assert "written while the space is a file" in notes(alex)


def test_entries_beyond_the_issue_hang_nothing_and_touch_nothing_outside(couple, decoy):
    alex, sam = couple
    theirs = own_dir(alex)
    seq = next_seq(theirs)
    here = os.getcwd()
    os.chdir(theirs)  # a socket's path must be short
    try:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(f"{seq:010d}.seg")
    finally:
        os.chdir(here)
    (theirs / f"snap-{seq + 1:010d}-{seq + 5:010d}.snap").mkdir()
    os.mkfifo(theirs / "0000000001.sync-conflict-20261129-101500-ABCDEFG.seg")
    os.mkfifo(theirs / "aside")
    (theirs / f"{seq + 1:010d}.seg").symlink_to(decoy.file)
    devices = space(alex) / "devices"
    (devices / ("f" * 16)).symlink_to(decoy.dir, target_is_directory=True)
    os.mkfifo(devices / ("e" * 16))
    (space(alex) / "space.json.sync-conflict-20261129-101500-ABCDEFG").symlink_to("/dev/zero")
    for _ in range(2):
        arrives(alex, sam, f"past everything {_}")
        arrives(sam, alex, f"and back {_}")
    for partner in (alex, sam):
        assert UNKNOWN_ENTRY in kinds(partner)
        found = verify_kinds(partner)
        assert UNKNOWN_ENTRY in found
    sock.close()
    decoy.untouched()


# -- names and numbers ------------------------------------------------------------------------


def test_a_junk_high_segment_cuts_no_device_off(couple):
    alex, sam = couple
    junk = own_dir(alex) / "9999999999.seg"
    junk.write_bytes(os.urandom(300))
    (own_dir(sam) / "9999999999.seg").write_bytes(os.urandom(300))
    arrives(alex, sam, "after the junk number")
    arrives(sam, alex, "and from Sam")
    assert not any(len(n) > 15 for n in os.listdir(own_dir(alex)))  # no 11-digit name
    assert engine.DAMAGED in verify_kinds(sam)


def test_a_junk_snapshot_range_passes_over_nothing(couple):
    alex, sam = couple
    first = next_seq(own_dir(alex))
    junk = own_dir(alex) / f"snap-{first:010d}-9999999999.snap"
    junk.write_bytes(b"CSNP\x02" + os.urandom(400))
    arrives(alex, sam, "after the junk snapshot")
    arrives(alex, sam, "and another")
    assert engine.DAMAGED in kinds(sam)
    assert engine.DAMAGED in verify_kinds(sam)  # without a list of ten billion numbers


# -- the key derivation -----------------------------------------------------------------------


def helpers_of(partner: Partner) -> list[int]:
    """Processes still running with this partner's profile (a derivation left behind)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if f"COMPANION_HOME={partner.home}".encode() in environ.split(b"\0"):
            found.append(int(pid))
    return found


def test_oversized_kdf_parameters_are_never_run(couple):
    alex, sam = couple
    path = space(sam) / "space.json"
    body = json.loads(path.read_text())
    body.pop("checksum")
    body["kdf"] = {**body["kdf"], "name": "argon2id", "memory_cost": 2 * 1024 * 1024}  # KiB
    body["kdf"].setdefault("iterations", 3)
    body["kdf"].setdefault("lanes", 4)
    body["checksum"] = spacefile._checksum(body)
    original = path.read_bytes()
    path.write_text(json.dumps(body))
    for args in (("status",), ("add", "gratitude", "no"), ("sync",)):
        result = run(sam, *args)
        assert result.code == 3 and "damaged" in result.err, result
        assert helpers_of(sam) == []
    path.write_bytes(original)
    arrives(alex, sam, "once the space file is put back")


def test_a_derivation_nobody_takes_ends_with_its_command(couple):
    _, sam = couple
    path = space(sam) / "space.json"
    body = json.loads(path.read_text())
    body.pop("checksum")
    # slow (a few seconds), but within the checks
    body["kdf"] = {**body["kdf"], "name": "argon2id", "iterations": 16, "lanes": 4}
    body["kdf"]["memory_cost"] = 128 * 1024
    body["checksum"] = spacefile._checksum(body)
    path.write_text(json.dumps(body))
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from companion.store import early\n"
        "early.begin(Path(os.environ['COMPANION_HOME']), os.environ['COMPANION_PASSPHRASE'])\n"
        "print(next(iter(early._pending.values()))._pid)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], env=sam.env(), capture_output=True, timeout=TIMEOUT
    )
    assert proc.returncode == 0, proc.stderr
    helper = int(proc.stdout)
    assert helper  # it was forked
    assert helpers_of(sam) == []  # and it ended with the command
    assert (
        not Path(f"/proc/{helper}").exists()
        or "zombie" in Path(f"/proc/{helper}/status").read_text()
    )


# -- properties -------------------------------------------------------------------------------


@given(st.integers(min_value=1, max_value=journal.MAX_SEQ))
def test_every_segment_name_the_writer_makes_is_one_the_reader_takes(seq):
    assert journal.parse_segment_name(journal.segment_name(seq)) == seq


@given(
    st.integers(min_value=1, max_value=journal.MAX_SEQ),
    st.integers(min_value=0, max_value=journal.MAX_SEQ),
)
def test_every_snapshot_name_the_writer_makes_is_one_the_reader_takes(first, span):
    last = min(journal.MAX_SEQ, first + span)
    name = journal.snapshot_name(first, last)
    assert journal._SNAPSHOT_NAME.match(name).groups() == (f"{first:010d}", f"{last:010d}")


def test_the_writer_never_goes_past_the_last_number(tmp_path):
    folder = tmp_path / "companion"
    (folder / "devices").mkdir(parents=True)
    (folder / "space.json").write_text("{}")
    mine = journal.Journal(folder, b"k" * 32, "space", "ab" * 8)
    with pytest.raises(OSError):
        mine.write(journal.MAX_SEQ + 1, "", [])
    assert not (folder / "devices" / mine.device_id).exists()


@pytest.mark.parametrize("plant", ["fifo", "link", "folder", "dangling"])
def test_only_regular_files_are_read(tmp_path, plant):
    path = tmp_path / "0000000001.seg"
    if plant == "fifo":
        os.mkfifo(path)
    elif plant == "link":
        path.symlink_to("/dev/zero")
    elif plant == "folder":
        path.mkdir()
    else:
        path.symlink_to(tmp_path / "nowhere")
    with pytest.raises(bounded.NotRegular):
        bounded.read_at_most(path, 1024)
    with pytest.raises(segments.SegmentInvalid):
        journal.read_file(path)


@given(st.sampled_from(["0", "٠", "０", "߀"]), st.integers(min_value=1, max_value=9))
def test_a_week_is_stored_one_way(zero, week):
    digits = "".join(chr(ord(zero) + int(d)) for d in "2026")
    typed = f"{digits}-W{week}"
    assert m.parse_week(typed) == f"2026-W{week:02d}"
    if zero != "0":
        assert not schema.is_week(f"{digits}-W{week:02d}")


# -- sizes ------------------------------------------------------------------------------------

SIGNER = signing.Signer.generate()
KEY = bytes(range(32))
DEVICE = "b" * 16
STAMP = "0" * 15 + ".000000." + DEVICE


def note_segment(text: str, seq: int = 1) -> bytes:
    op = {
        "op": "create",
        "id": "a" * 26,
        "type": "gratitude",
        "hlc": STAMP,
        "device": DEVICE,
        "author": "c" * 16,
        "fields": {"text": text, "to": "d" * 16, "date": "2026-11-29"},
    }
    return segments.encode(KEY, "space", DEVICE, seq, "", [op], SIGNER)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=2000), min_size=5, max_size=5))
def test_notes_of_any_length_fall_into_a_few_sizes(texts):
    sizes = {len(note_segment(text)) for text in texts}
    assert sizes <= {1024, 2048, 4096, 8192, 16384}, sizes
    for text in texts:
        [op] = segments.decode(KEY, "space", DEVICE, 1, note_segment(text)).ops
        assert op["fields"]["text"] == text


def test_notes_of_1_to_2000_characters_in_words_take_two_sizes():
    rng = random.Random(13)
    words = [
        "thank",
        "you",
        "for",
        "the",
        "walk",
        "and",
        "the",
        "tea",
        "and",
        "for",
        "listening",
        "when",
        "I",
        "needed",
        "it",
    ]
    sizes = set()
    for length in range(1, 2001, 13):
        text = " ".join(rng.choice(words) for _ in range(length))[:length]
        sizes.add(len(note_segment(text)))
    assert sizes <= {1024, 2048}, sizes


def test_a_segment_from_before_padding_still_opens_and_padding_must_be_zeros(monkeypatch):
    monkeypatch.setattr(padding, "pad", lambda plain, overhead, most: plain)
    unpadded = note_segment("written before padding")
    assert len(unpadded) < 1024
    [op] = segments.decode(KEY, "space", DEVICE, 1, unpadded).ops
    assert op["fields"]["text"] == "written before padding"
    monkeypatch.setattr(padding, "pad", lambda plain, overhead, most: plain + b"\1" * 8)
    with pytest.raises(segments.SegmentInvalid):
        segments.decode(KEY, "space", DEVICE, 1, note_segment("with something after"))


@given(st.integers(min_value=1, max_value=40 * 1024 * 1024))
def test_a_bucket_holds_its_file_and_stays_within_what_a_reader_takes(size):
    most = segments.HEADER_SIZE + segments.SNAPSHOT.sealed
    target = padding.bucket(size, most)
    assert target >= size
    assert target <= max(size, most)
    assert target < 2 * size + padding.SMALLEST
