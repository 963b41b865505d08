"""The open app follows this device's own shell changes, and says what arrived as it is now.

A shell command on the same device (`companion add care`, `companion tick`) writes this
device's copy from another process; the app open beside it shows the change within about a
second, with no key pressed. A pop-up about what arrived describes each record as the pass
left it: a care action taken on and retired before the pass is "retired", not "taken on".
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest
from textual.message import Message

from companion.tui.app import CompanionApp
from tests import test_tui as tui
from tests.test_tui import PASSPHRASE, SIZE, Couple, due_rows, notices, opened, settle

# the TUI tests' fixtures: a light KDF, a pinned clock, Alex and Sam's space
anyio_backend = tui.anyio_backend
light_kdf = tui.light_kdf
pinned_clock = tui.pinned_clock
space = tui.space

pytestmark = pytest.mark.anyio


def shell(home, *args: str) -> None:
    """`companion ARGS` as typed in another terminal on the same device."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPANION_")}
    env.update(
        COMPANION_HOME=str(home),
        COMPANION_PASSPHRASE=PASSPHRASE,
        COMPANION_NOW=os.environ["COMPANION_NOW"],
    )
    done = subprocess.run(
        [sys.executable, "-m", "companion", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


async def shown_within(pilot, check, seconds: float) -> float:
    began = time.monotonic()
    while not check():
        took = time.monotonic() - began
        assert took < seconds, f"not shown after {took:.1f}s"
        await pilot.pause(0.05)
    return time.monotonic() - began


async def test_the_open_app_follows_this_devices_shell_changes(space: Couple) -> None:
    app = CompanionApp(home=space.alex, passphrase=PASSPHRASE, sync_interval=60)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.pause(0.5)  # the watchers' first look
        assert not due_rows(app)

        await asyncio.to_thread(shell, space.alex, "add", "care", "Text Sam at lunch")
        # About a second: the watcher's debounce, one stat of the copy, one reload. The bound
        # is loose for a loaded machine; typically it is a few hundred milliseconds.
        await shown_within(pilot, lambda: [r for r in due_rows(app) if r.status is None], 5.0)
        [row] = due_rows(app)
        assert row.title == "Text Sam at lunch"

        await asyncio.to_thread(shell, space.alex, "tick", "text sam")
        await shown_within(pilot, lambda: [r.status for r in due_rows(app)] == ["done"], 5.0)

        # The folder away: the shell's change waits in the outbox, and the app still shows it.
        space.shared.rename(space.shared.with_name("unmounted"))
        await asyncio.to_thread(shell, space.alex, "add", "care", "Make tea after work")
        titles = lambda: {r.title for r in due_rows(app)}  # noqa: E731
        await shown_within(pilot, lambda: "Make tea after work" in titles(), 5.0)


async def test_the_apps_own_changes_dont_count_as_another_process(space: Couple) -> None:
    """Only a change from elsewhere makes the app look again: its own writes leave the stamp
    it noted, so the copy watcher finds nothing to do."""
    app = CompanionApp(home=space.alex, passphrase=PASSPHRASE, sync_interval=60)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        backend = app.backend
        assert backend is not None
        with backend.session() as session:
            session.add_care("Text Sam at lunch")
            assert session.copy_stamp() != ()
        with backend.session() as session:
            assert session.copy_stamp() == backend.copy_stamp
        assert not backend.changed_elsewhere
        shell(space.alex, "add", "need", "A quiet hour after work")
        with backend.session() as session:
            assert session.copy_stamp() != backend.copy_stamp
            assert backend.changed_elsewhere  # noted on the way in
            session.add_care("Make tea after work")  # the app's own write on top of it
        assert backend.changed_elsewhere  # still in mind, for the copy watcher to act on


async def test_an_arrival_is_described_as_it_is_now(space: Couple) -> None:
    messages: list[Message] = []
    app = space.app("alex")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await opened(pilot)
        sam = space.session("sam")
        sam.add_care("Make dinner on Tuesdays")
        sam.retire("care", "dinner")
        sam.propose_agreement("No advice unless asked first")
        sam.close()
        app.sync_now()
        await settle(pilot)
        said = [n for n in notices(messages) if n.startswith("Arrived")]
        assert said == ["Arrived: Sam retired a care action; Sam proposed an agreement."], said


async def test_the_app_says_the_passphrase_was_changed_elsewhere(space: Couple) -> None:
    """Sam changes it; Alex's app, opened with the one Alex knows, opens and says so."""
    sam = space.session("sam")
    sam.change_passphrase("a brand new passphrase")
    sam.close()
    messages: list[Message] = []
    app = space.app("alex")  # the first passphrase
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await opened(pilot)
        said = [n for n in notices(messages) if n.startswith("Passphrase:")]
        assert said == [
            "Passphrase: The passphrase was changed on Sam's device. Use the new "
            "one from now on; until you type it here, the old one still opens the space on "
            "this device only."
        ], notices(messages)
