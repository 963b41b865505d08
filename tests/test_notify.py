"""Quiet desktop notifications and the evening reminder, against a real session bus.

Each test that needs a bus starts its own `dbus-daemon --session` and a small notification
server (tests/notify_server.py) that records every Notify call; `companion watch --notify`
talks to it through desktop-notifier, as it would to a desktop's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Partner

SERVER = Path(__file__).with_name("notify_server.py")
NOTE_TEXT = "Thank you for the soup on Tuesday; it warmed me right through"
WAIT_S = 30  # a loaded runner gets far more slack than the seconds this takes


@dataclass
class Bus:
    """A private session bus and the notifications its server has recorded."""

    address: str
    record: Path

    def shown(self) -> list[dict[str, str]]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines()]


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _session_bus(tmp_path: Path, *, click: bool = False) -> Iterator[Bus]:
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        if os.environ.get("CI"):
            pytest.fail("dbus-daemon is not installed, and CI must run the notification tests")
        pytest.skip("dbus-daemon is not installed (apt install dbus); CI runs these tests")
    bus_proc = subprocess.Popen(
        [daemon, "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a container's fd limit warning, nothing of ours
        text=True,
    )
    assert bus_proc.stdout is not None
    address = bus_proc.stdout.readline().strip()
    assert address, "dbus-daemon printed no address"
    record = tmp_path / "notifications.jsonl"
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
    server = subprocess.Popen(
        [sys.executable, str(SERVER), str(record), *(["--click"] if click else [])],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert server.stdout is not None
    try:
        assert server.stdout.readline().strip() == "ready", "the notification server didn't start"
        yield Bus(address, record)
    finally:
        _stop(server)
        _stop(bus_proc)


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[Bus]:
    yield from _session_bus(tmp_path)


@pytest.fixture
def clicking_bus(tmp_path: Path) -> Iterator[Bus]:
    """A bus whose notification server clicks every notification a moment after it shows."""
    yield from _session_bus(tmp_path, click=True)


def watch_once(partner: Partner, bus_address: str, **env: str) -> str:
    done = partner.ok("watch", "--once", "--notify", DBUS_SESSION_BUS_ADDRESS=bus_address, **env)
    return done.out + done.err


def wait_for(check, timeout: float = WAIT_S):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    return check()


def test_a_partners_note_makes_one_notification_without_its_words(couple, clicking_bus, tmp_path):
    alex, sam = couple
    bus = clicking_bus
    # A click opens companion in a terminal: this one notes what it was asked to run.
    opened = tmp_path / "opened.txt"
    terminal = tmp_path / "terminal"
    terminal.write_text(f'#!/bin/sh\necho "$@" > {opened}\n')
    terminal.chmod(0o755)
    log = tmp_path / "watch.log"
    with log.open("w") as out:
        watcher = subprocess.Popen(
            [sys.executable, "-m", "companion", "watch", "--notify", "--rescan", "2"],
            env=alex.env(DBUS_SESSION_BUS_ADDRESS=bus.address, TERMINAL=str(terminal)),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert wait_for(lambda: "Watching" in log.read_text()), log.read_text()
            sam.ok("add", "gratitude", NOTE_TEXT)
            assert wait_for(bus.shown), log.read_text()
            assert wait_for(opened.exists), "a click opens companion"
            time.sleep(3)  # a later pass, or the rescan, must not tell it again
        finally:
            _stop(watcher)
    assert opened.read_text().split()[0] == "-e"
    assert opened.read_text().split()[-1].endswith("companion")
    [shown] = bus.shown()
    assert shown["app"] == "companion"
    assert shown["body"] == "Sam sent you a note."
    assert "soup" not in json.dumps(shown).lower()


def test_several_arrivals_in_one_pass_make_one_notification(couple, bus):
    alex, sam = couple
    sam.ok("add", "gratitude", NOTE_TEXT)
    sam.ok("add", "agreement", "We pause a hard talk with a cup of tea")
    sam.ok("checkin", "--supported", "The walk on Friday", "--attention", "Mornings feel rushed")
    watch_once(alex, bus.address)
    [shown] = bus.shown()
    body = shown["body"]
    assert body.startswith("Sam ") and body.count("Sam") == 1, body
    for words in ("sent you a note", "proposed an agreement", "shared this week's check-in"):
        assert words in body
    for private in ("soup", "tea", "walk", "rushed"):
        assert private not in body.lower()


def test_a_notes_words_come_only_with_their_own_opt_in(couple, bus):
    alex, sam = couple
    alex.ok("notify", "--show-text")
    sam.ok("add", "gratitude", NOTE_TEXT)
    watch_once(alex, bus.address)
    [shown] = bus.shown()
    assert shown["body"].startswith("Sam sent you a note.\n")
    assert NOTE_TEXT in shown["body"]
    alex.ok("notify", "--hide-text")
    sam.ok("add", "gratitude", "Thank you for the lift")
    watch_once(alex, bus.address)
    assert bus.shown()[1]["body"] == "Sam sent you a note."


def test_a_partners_ticks_and_rests_make_no_notification(couple, bus):
    alex, sam = couple
    sam.ok("add", "care", "Make tea in the evening")
    watch_once(alex, bus.address)
    shown = len(bus.shown())
    sam.ok("tick", "make tea")
    sam.ok("tick", "make tea", "--undo")
    sam.ok("tick", "make tea", "--skip")
    watch_once(alex, bus.address)
    assert len(bus.shown()) == shown, bus.shown()


def test_notifications_off_on_this_device_stay_off(couple, bus):
    alex, sam = couple
    alex.ok("notify", "--off")
    sam.ok("add", "gratitude", NOTE_TEXT)
    watch_once(alex, bus.address)
    assert bus.shown() == []
    [note] = alex.ok("list", "gratitude", "--json", "--offline").json()
    assert note["text"] == NOTE_TEXT, "syncing went on"


def test_quiet_hours_hold_notifications_until_they_end(couple, bus):
    alex, sam = couple
    said = alex.ok("notify", "--quiet", "22:00-07:00").out
    assert "22:00–07:00" in said
    sam.ok("add", "gratitude", NOTE_TEXT)
    watch_once(alex, bus.address, COMPANION_NOW="2030-03-04T23:30:00")
    sam.ok("add", "agreement", "No advice unless asked")
    watch_once(alex, bus.address, COMPANION_NOW="2030-03-05T06:59:00")
    assert bus.shown() == []
    watch_once(alex, bus.address, COMPANION_NOW="2030-03-05T07:00:00")
    [shown] = bus.shown()
    assert shown["body"] == "Sam sent you a note and proposed an agreement."
    watch_once(alex, bus.address, COMPANION_NOW="2030-03-05T07:05:00")
    assert len(bus.shown()) == 1, "what was held is told once"


def test_without_a_notification_service_it_says_so_once_and_keeps_syncing(couple, tmp_path):
    alex, sam = couple
    nowhere = f"unix:path={tmp_path / 'no-bus'}"
    log = tmp_path / "watch.log"
    with log.open("w") as out:
        watcher = subprocess.Popen(
            [sys.executable, "-m", "companion", "watch", "--notify", "--rescan", "2"],
            env=alex.env(DBUS_SESSION_BUS_ADDRESS=nowhere),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert wait_for(lambda: "Watching" in log.read_text()), log.read_text()
            sam.ok("add", "gratitude", NOTE_TEXT)
            assert wait_for(lambda: "sent you a note" in log.read_text()), log.read_text()
            sam.ok("add", "gratitude", "Thank you for the lift")
            assert wait_for(lambda: log.read_text().count("sent you a note") == 2), log.read_text()
        finally:
            _stop(watcher)
    text = log.read_text()
    assert text.count("No desktop notification service") == 1, text
    assert "Traceback" not in text and "Notification failed" not in text, text
    assert len(alex.ok("list", "gratitude", "--json", "--offline").json()) == 2


def test_without_any_bus_address_watch_still_syncs(couple):
    alex, sam = couple
    sam.ok("add", "gratitude", NOTE_TEXT)
    env = {k: v for k, v in alex.env().items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    done = subprocess.run(
        [sys.executable, "-m", "companion", "watch", "--once", "--notify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "No desktop notification service" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


# 2030-03-05 is a Tuesday; the check-in day is Sunday unless chosen (2030-03-10).
TUESDAY = "2030-03-05"


def test_the_evening_reminder_comes_once_at_its_time(couple, bus):
    alex, _ = couple
    assert "21:00" in alex.ok("remind", "--at", "21:00").out
    watch_once(alex, bus.address, COMPANION_NOW=f"{TUESDAY}T20:59:00")
    assert bus.shown() == []
    watch_once(alex, bus.address, COMPANION_NOW=f"{TUESDAY}T21:00:30")
    [shown] = bus.shown()
    assert shown["body"] == "Your evening with Sam is here when you are."
    watch_once(alex, bus.address, COMPANION_NOW=f"{TUESDAY}T22:30:00")
    assert len(bus.shown()) == 1, "one reminder an evening"
    watch_once(alex, bus.address, COMPANION_NOW="2030-03-10T21:15:00")
    sunday = bus.shown()[1]["body"]
    assert sunday.startswith("Your evening with Sam is here when you are. ")
    assert "check-in day" in sunday
    for counting in ("streak", "days", "missed", "in a row"):
        assert counting not in sunday.lower()


def test_no_reminder_once_the_app_was_opened_that_evening(couple, bus):
    from companion.service import Passphrase, open_space
    from companion.service.clock import wall_ms

    alex, _ = couple
    alex.ok("remind", "--at", "21:00")
    os.environ["COMPANION_NOW"] = f"{TUESDAY}T19:40:00"
    try:
        session = open_space(alex.home, Passphrase(alex.passphrase), wall_ms)
        session.mark_app_opened()  # what the app does as it syncs
        session.close()
    finally:
        del os.environ["COMPANION_NOW"]
    watch_once(alex, bus.address, COMPANION_NOW=f"{TUESDAY}T21:10:00")
    assert bus.shown() == []
    # The next evening, without the app, it comes.
    watch_once(alex, bus.address, COMPANION_NOW="2030-03-06T21:10:00")
    assert len(bus.shown()) == 1


def test_the_reminder_is_off_by_default_and_turns_off(couple, bus):
    alex, _ = couple
    watch_once(alex, bus.address, COMPANION_NOW=f"{TUESDAY}T21:30:00")
    assert bus.shown() == []
    alex.ok("remind", "--at", "21:00")
    assert "No evening reminder" in alex.ok("remind", "--off").out
    watch_once(alex, bus.address, COMPANION_NOW=f"{TUESDAY}T21:30:00")
    assert bus.shown() == []


def test_remind_and_notify_refuse_a_mistake_plainly(couple):
    alex, _ = couple
    for args in (("remind",), ("remind", "--at", "9pm"), ("remind", "--at", "25:00")):
        done = alex.run(*args)
        assert done.code == 1 and "Traceback" not in done.err, (args, done.err)
    done = alex.run("notify", "--quiet", "22:00")
    assert done.code == 1 and "22:00-07:00" in done.err
