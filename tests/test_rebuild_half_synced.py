"""`sync --rebuild` on a folder that doesn't yet hold all of this device's own files.

Two profiles through the real command: Alex's latest segments are taken out of the shared
folder, as when the sync tool hasn't brought them back (a second machine's view, a folder
restored from an older copy). The rebuild waits with its own exit code and changes nothing;
once the files are back it rebuilds, numbers on from where Alex left off, and Sam never
sees two devices writing as one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from companion.errors import EXIT_WAIT
from tests.test_cli import fails, listed, ok, snapshot


def own_dir(partner) -> Path:
    [device] = [
        d
        for d in (partner.shared / "companion" / "devices").iterdir()
        if d.name == ok(partner, "status", "--json", "--offline").json()["device_id"]
    ]
    return device


def test_rebuild_waits_until_this_devices_files_are_back(couple, tmp_path: Path) -> None:
    alex, sam = couple
    for text in ("A check-in text on stressful days", "Ask before giving advice"):
        ok(alex, "add", "need", text)
    ok(alex, "add", "gratitude", "Thank you for the soup")
    ok(sam, "sync")
    mine = own_dir(alex)
    names = sorted(p.name for p in mine.iterdir() if p.suffix == ".seg")
    assert len(names) >= 3, names

    # The folder as the sync tool left it: the last two of Alex's files haven't arrived.
    away = tmp_path / "in-transit"
    away.mkdir()
    for name in names[-2:]:
        shutil.move(mine / name, away / name)
    before = snapshot(alex.home, alex.shared)

    waited = alex.run("sync", "--rebuild")
    fails(waited, EXIT_WAIT, "doesn't have all of this device's changes", "sync --rebuild")
    assert "Nothing was changed" in waited.err
    assert snapshot(alex.home, alex.shared) == before  # no copy set aside, nothing written
    assert not [p for p in alex.home.iterdir() if p.name.startswith("replica.set-aside")]

    # The sync tool catches up; now the rebuild goes ahead and loses nothing.
    for name in names[-2:]:
        shutil.move(away / name, mine / name)
    assert "Rebuilt" in ok(alex, "sync", "--rebuild").out
    assert {n["text"] for n in listed(alex, "needs")} == {
        "A check-in text on stressful days",
        "Ask before giving advice",
    }

    # Alex's next change is numbered after the ones already written, and Sam takes it.
    ok(alex, "add", "need", "A walk after dinner")
    after = sorted(p.name for p in mine.iterdir() if p.suffix == ".seg")
    assert after[: len(names)] == names and len(after) == len(names) + 1
    assert {n["text"] for n in listed(sam, "needs")} == {
        "A check-in text on stressful days",
        "Ask before giving advice",
        "A walk after dinner",
    }
    status = ok(sam, "status", "--json").json()
    assert status["problems"] == [], status["problems"]
    assert ok(sam, "verify").code == 0
