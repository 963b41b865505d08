"""Junk planted under a segment number in the shared folder (by anyone who can write there,
with or without the key): a name far ahead doesn't hide a journal that went back, junk under
this device's next number is passed over by compaction (and left for readers to report)
rather than stopping it for good, and `sync --rebuild` still waits for this device's own
files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from companion import verify
from companion.errors import EXIT_WAIT
from companion.sync import engine
from companion.sync.journal import DEVICES, segment_name

from .syncsim import World, fast_kdf
from .test_adversarial import check_sam, exchange, texts
from .test_cli import fails, ok
from .test_rebuild_half_synced import own_dir

FAR = "9999999999.seg"


def _world(tmp_path: Path, monkeypatch) -> World:
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    return world


def test_a_junk_name_far_ahead_doesnt_hide_a_journal_that_went_back(tmp_path, monkeypatch):
    world = _world(tmp_path, monkeypatch)
    alex_dev, sam_dev = world.devices
    alex, sam = alex_dev.session, sam_dev.session
    alex.add_gratitude("You waited for me at the station.")
    exchange(world)
    alex_copy = world.space(sam_dev) / DEVICES / alex.profile.device_id
    backup = tmp_path / "backup"
    shutil.copytree(alex_copy, backup)
    alex.add_gratitude("You cooked when I was tired.")
    alex.add_gratitude("You listened all the way to the end.")
    exchange(world)
    # Sam's copy of Alex's folder goes back to the older one, and junk sits far ahead of it
    shutil.rmtree(alex_copy)
    shutil.copytree(backup, alex_copy)
    (alex_copy / FAR).write_bytes(os.urandom(300))
    kinds = {p["kind"] for p in sam.sync().problems}
    assert engine.ROLLED_BACK in kinds
    assert "You listened all the way to the end." in texts(sam)  # nothing read is lost
    report = check_sam(world)
    assert verify.ROLLED_BACK in [p.kind for p in report.problems], report.text()


def test_junk_far_ahead_of_a_journal_that_carries_on_is_no_rollback(tmp_path, monkeypatch):
    world = _world(tmp_path, monkeypatch)
    alex_dev, sam_dev = world.devices
    alex, sam = alex_dev.session, sam_dev.session
    alex.add_gratitude("You fixed the bike.")
    exchange(world)
    alex_copy = world.space(sam_dev) / DEVICES / alex.profile.device_id
    (alex_copy / FAR).write_bytes(os.urandom(300))
    alex.add_gratitude("You called my mum.")
    world.deliver_all()
    kinds = {p["kind"] for p in sam.sync().problems}
    assert engine.ROLLED_BACK not in kinds
    assert "You called my mum." in texts(sam)
    report = check_sam(world)
    assert verify.ROLLED_BACK not in [p.kind for p in report.problems], report.text()


def test_junk_under_this_devices_next_number_stops_no_compaction(tmp_path, monkeypatch):
    world = _world(tmp_path, monkeypatch)
    monkeypatch.setattr(engine, "LOOSE_SEGMENTS", 3)
    alex_dev, sam_dev = world.devices
    alex, sam = alex_dev.session, sam_dev.session
    journal, device = alex.journal, alex.device_id
    junk = max(journal.listing(device).segments) + 1
    planted = os.urandom(300)
    (journal.own_dir / segment_name(junk)).write_bytes(planted)
    for n in range(8):
        alex.add_gratitude(f"You walked the dog, day {n}.")
    listing = journal.listing(device)
    # compaction went on past the junk, which stays where it was for readers to report
    assert any(a > junk for a, _ in listing.snapshots), listing
    assert (journal.own_dir / segment_name(junk)).read_bytes() == planted
    exchange(world)
    assert {f"You walked the dog, day {n}." for n in range(8)} <= texts(sam)
    damaged = {p.seq for p in sam.problems() if p.device == device and p.kind == engine.DAMAGED}
    assert damaged == {junk}


def test_a_rebuild_waits_for_this_devices_files_whatever_lies_far_ahead(couple, tmp_path):
    alex, _ = couple
    ok(alex, "add", "need", "A check-in text on stressful days")
    ok(alex, "add", "need", "Ask before giving advice")
    mine = own_dir(alex)
    newest = max(p.name for p in mine.iterdir() if p.suffix == ".seg")
    shutil.move(mine / newest, tmp_path / newest)  # not brought back by the sync tool yet
    (mine / FAR).write_bytes(os.urandom(300))
    waited = alex.run("sync", "--rebuild")
    fails(waited, EXIT_WAIT, "doesn't have all of this device's changes", "sync --rebuild")
