"""Passphrase changes never lock anyone out: two profiles through the real command.

The sync tool is played by hand: a change made "offline" on Sam's machine is put in the
shared folder the way Syncthing keeps the loser of two changes to one file, as
`space.sync-conflict-….json` beside the space.json it kept.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from companion.errors import EXIT_UNLOCK
from tests.test_cli import fails, ok

FIRST = "correct horse battery staple"
ALEX_NEW = "alex picked this one"
SAM_NEW = "sam picked another one"
AGREED = "the one we agreed on"
CONFLICT = "space.sync-conflict-20261129-203000-SAMDEV1.json"


def space_json(partner) -> Path:
    return partner.shared / "companion" / "space.json"


def passwd(partner, current: str, new: str):
    return ok(partner, "passwd", COMPANION_PASSPHRASE=current, COMPANION_NEW_PASSPHRASE=new)


def both_change_offline(alex, sam, *, alex_changes: int = 1) -> None:
    """Sam changes it on a copy of the folder; Alex changes it in the folder; the sync tool
    keeps Alex's as space.json and Sam's as a conflict copy."""
    before = space_json(alex).read_bytes()
    passwd(sam, FIRST, SAM_NEW)
    sams = space_json(sam).read_bytes()
    space_json(alex).write_bytes(before)  # Alex's machine never saw Sam's change
    current = FIRST
    for n in range(alex_changes):
        new = ALEX_NEW if n == alex_changes - 1 else f"{ALEX_NEW} at first"
        passwd(alex, current, new)
        current = new
    (space_json(alex).parent / CONFLICT).write_bytes(sams)


def test_two_changes_at_once_leave_both_able_to_open(couple) -> None:
    alex, sam = couple
    ok(alex, "add", "need", "A quiet hour after work")
    ok(sam, "sync")
    both_change_offline(alex, sam)

    # Each opens with the passphrase they set, and is told what happened.
    for partner, mine, who in ((alex, ALEX_NEW, "this device"), (sam, SAM_NEW, "Alex's")):
        shown = ok(partner, "list", "needs", COMPANION_PASSPHRASE=mine)
        assert "A quiet hour after work" in shown.out
        assert "changed on two devices at about the same time" in shown.err, shown.err
        assert "companion passwd" in shown.err and who in shown.err, shown.err
    # The first passphrase opens nothing any more, and says it was changed since.
    fails(alex.run("status", COMPANION_PASSPHRASE=FIRST), EXIT_UNLOCK, "changed since")

    # Sam settles it; the conflict copy goes, and Alex is told whose change it was.
    passwd(sam, SAM_NEW, AGREED)
    assert not (space_json(alex).parent / CONFLICT).exists()
    told = ok(alex, "status", COMPANION_PASSPHRASE=ALEX_NEW)
    assert "The passphrase was changed on Sam's device" in told.err, told.err
    assert "Use the new one" in told.err
    assert "two devices" not in told.err
    # Typing the new one here brings this device up to date; then the old one is done.
    assert ok(alex, "status", COMPANION_PASSPHRASE=AGREED).err == ""
    fails(alex.run("status", COMPANION_PASSPHRASE=ALEX_NEW), EXIT_UNLOCK, "doesn't open")


def test_two_changes_here_against_one_there_is_not_taken_for_a_rollback(couple) -> None:
    alex, sam = couple
    both_change_offline(alex, sam, alex_changes=2)
    # The folder kept Sam's (version 2) over Alex's second change (version 3) this time.
    alexs = space_json(alex).read_bytes()
    space_json(alex).write_bytes((space_json(alex).parent / CONFLICT).read_bytes())
    (space_json(alex).parent / CONFLICT).write_bytes(alexs)
    assert json.loads(alexs)["key_version"] == 3

    shown = ok(alex, "status", COMPANION_PASSPHRASE=ALEX_NEW)
    assert "old copy may have been put back" not in shown.err
    assert "two devices at about the same time" in shown.err
    assert "Sam's device" in shown.err, shown.err
    ok(sam, "status", COMPANION_PASSPHRASE=SAM_NEW)


def test_verify_shows_header_problems_without_unlocking(couple) -> None:
    alex, sam = couple
    both_change_offline(alex, sam)

    refused = sam.run("verify", COMPANION_PASSPHRASE="not one anyone set")
    fails(refused, EXIT_UNLOCK)
    assert "conflict copy of space.json" in refused.out, refused.out
    assert "companion passwd" in refused.out
    assert "Only what can be checked without it" in refused.out

    as_json = sam.run("verify", "--json", COMPANION_PASSPHRASE="not one anyone set")
    kinds = {p["kind"] for p in json.loads(as_json.out)["problems"]}
    assert {"conflict-copy", "unlock-refused"} <= kinds, as_json.out

    # With a passphrase that opens, the same conflict is reported, and nothing worse.
    opened = sam.run("verify", "--json", COMPANION_PASSPHRASE=SAM_NEW)
    assert opened.code == 3, opened.err
    kinds = [p["kind"] for p in json.loads(opened.out)["problems"]]
    assert kinds == ["conflict-copy"], opened.out


def test_a_change_while_the_other_app_is_open(couple, tmp_path: Path) -> None:
    """Sam's watch runs with the first passphrase while Alex changes it: Sam's service goes
    on, and Sam opens with either passphrase afterwards."""
    alex, sam = couple
    watch = subprocess.Popen(
        [sys.executable, "-m", "companion", "watch", "--rescan", "1"],
        env=sam.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert watch.stdout is not None
        assert "Watching" in watch.stdout.readline()
        passwd(alex, FIRST, ALEX_NEW)
        ok(alex, "add", "gratitude", "Thank you for the call", COMPANION_PASSPHRASE=ALEX_NEW)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            notes = json.loads(ok(sam, "list", "gratitude", "--json", "--offline").out)
            if notes:
                break
            time.sleep(0.5)
        assert [n["text"] for n in notes] == ["Thank you for the call"]
        assert watch.poll() is None
    finally:
        watch.send_signal(signal.SIGINT)
        out, _ = watch.communicate(timeout=60)
    assert watch.returncode == 0, out
    told = ok(sam, "status")  # the first passphrase, still
    assert "The passphrase was changed on Alex's device. Use the new one" in told.err
    assert ok(sam, "status", COMPANION_PASSPHRASE=ALEX_NEW).err == ""


def test_watch_waits_for_a_passphrase_that_opens(couple) -> None:
    """A device with no copy of the old header (a fresh profile) whose service still has the
    first passphrase: it says why and tries again, and goes on once the space opens."""
    alex, sam = couple
    sam_copy = sam.home / "space.json"
    assert sam_copy.exists()
    sam_copy.unlink()
    passwd(alex, FIRST, ALEX_NEW)
    watch = subprocess.Popen(
        [sys.executable, "-m", "companion", "watch", "--retry", "1"],
        env=sam.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert watch.stdout is not None
        said = ""
        while "Trying again" not in said:
            said += watch.stdout.readline()
        assert "Can't open the space yet" in said and "doesn't open" in said, said
        assert "Trying again every 1 seconds" in said
        time.sleep(2)
        assert watch.poll() is None  # waiting, not stopped for good
        passwd(alex, ALEX_NEW, FIRST)  # they went back to the first one
        deadline = time.monotonic() + 60
        line = ""
        while "Watching" not in line and time.monotonic() < deadline:
            line = watch.stdout.readline()
        assert "Watching" in line
        time.sleep(1)  # past its first pass, into watching
    finally:
        watch.send_signal(signal.SIGINT)
        out, _ = watch.communicate(timeout=60)
    assert watch.returncode == 0, out
