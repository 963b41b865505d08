"""The evening TUI, driven by keyboard and mouse through Textual's Pilot, and its snapshots.

Every test builds its own couple with the service layer under tmp_path, pins the clock with
COMPANION_NOW (a Thursday evening) and runs the app at 100×32 with the periodic sync off.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual import events
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.theme import BUILTIN_THEMES
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, Static, TextArea
from textual.worker import WorkerState

from companion.domain import model as m
from companion.domain import rules
from companion.domain.ids import iso_week
from companion.service import Session, init_space, join_space
from companion.store import crypto, keychain, spacefile
from companion.store import profile as profiles
from companion.sync.problems import Problem
from companion.tui import prefetch
from companion.tui.app import CompanionApp
from companion.tui.navigation import BY_MODE, nav_width
from companion.tui.read import gratitude as read_gratitude
from companion.tui.read import progress as read_progress
from companion.tui.read.care import week_text
from companion.tui.read.checkin import frame_attention, split_attention
from companion.tui.read.progress import progress, spark
from companion.tui.read.sync_state import SyncState
from companion.tui.read.tonight import DueRow, NoteRow, seen_since, tonight
from companion.tui.resources import styles_dir
from companion.tui.screens import history as history_screen
from companion.tui.screens.agreements import AgreementsScreen
from companion.tui.screens.care import CareScreen
from companion.tui.screens.checkin import CheckinScreen
from companion.tui.screens.dialogs import CareActionDialog, ConfirmDialog, PassphraseDialog
from companion.tui.screens.gratitude import GratitudeScreen
from companion.tui.screens.help import HelpScreen
from companion.tui.screens.history import HistoryScreen
from companion.tui.screens.keys import KeysScreen
from companion.tui.screens.progress import ProgressScreen
from companion.tui.screens.settings import SettingsScreen
from companion.tui.screens.setup import SetupScreen
from companion.tui.screens.tonight import TonightScreen
from companion.tui.screens.unlock import UnlockScreen
from companion.tui.widgets.agreement_list import AgreementItem, AgreementList
from companion.tui.widgets.checkin_card import CheckinCard
from companion.tui.widgets.due_list import DueList, due_content
from companion.tui.widgets.header import AppHeader
from companion.tui.widgets.nav_bar import BottomBar
from companion.tui.widgets.new_notes import NewNotes, note_content
from companion.tui.widgets.note_list import NoteList
from companion.tui.widgets.review_list import ReviewItem
from companion.tui.widgets.week_card import WeekCard

PASSPHRASE = "correct horse battery staple"
NOW = "2026-11-26T20:30:00"  # a Thursday evening
SPACE_ID = "5ea1ed5ace0f2a1e5a1e0001"  # any fixed 24 hex digits
TODAY = dt.date(2026, 11, 26)
SIZE = (100, 32)
ACTIVE = (WorkerState.PENDING, WorkerState.RUNNING)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- fixtures -------------------------------------------------------------------------------


@dataclass
class Couple:
    """Alex created the space, Sam joined it: two profiles on one shared folder."""

    shared: Path
    alex: Path
    sam: Path

    def session(self, who: str) -> Session:
        return Session.unlock(getattr(self, who), PASSPHRASE)

    def app(self, who: str, *, passphrase: str | None = PASSPHRASE) -> CompanionApp:
        return CompanionApp(home=getattr(self, who), passphrase=passphrase, sync_interval=None)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPANION_NOW", NOW)
    monkeypatch.delenv("COMPANION_PASSPHRASE", raising=False)


@pytest.fixture(autouse=True)
def light_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spaces made here use a light Argon2id; the store tests cover the real cost.

    The parameters are read back from space.json, so every unlock goes the real way.
    """
    monkeypatch.setattr(crypto, "ARGON2_DEFAULTS", {"iterations": 1, "lanes": 1, "memory_cost": 8})


@pytest.fixture
def space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Couple:
    shared = tmp_path / "shared"
    shared.mkdir()
    pair = Couple(shared, tmp_path / "home-alex", tmp_path / "home-sam")
    # The check-in's prompts rotate by the space id: one fixed id keeps the screens steady.
    monkeypatch.setattr(spacefile, "new_space_id", lambda: SPACE_ID)
    alex = init_space(pair.alex, shared, "Alex", PASSPHRASE)
    join_space(pair.sam, shared, "Sam", PASSPHRASE).close()
    alex.sync()
    alex.close()
    monkeypatch.setenv("COMPANION_HOME", str(pair.alex))
    return pair


@pytest.fixture
def evening(space: Couple, monkeypatch: pytest.MonkeyPatch) -> Couple:
    """A few weeks into the practice: menus, care actions with history, notes, a check-in."""
    # The menus and care actions were made three weeks ago, so that they have a history.
    monkeypatch.setenv("COMPANION_NOW", f"{TODAY - dt.timedelta(days=21)}T20:30:00")
    alex, sam = space.session("alex"), space.session("sam")
    text_need = sam.add_need("A check-in text on stressful days")
    sam.add_need("Ask before giving advice")
    sam.add_need("Follow through on what we agreed, without reminders")
    sam.add_care("Make tea and ask how the day went", "weekdays")
    sam.sync()
    alex.sync()
    alex.add_need("Ten quiet minutes when I get home")
    alex.add_need("Hear about your day without me having to ask")
    lunch = alex.add_care("Text Sam at lunch on busy days", "daily", need_ref=text_need.id)
    alex.add_care("Ask before offering advice", "mon,wed,fri")
    alex.add_care("Plan one small outing together", "weekly")
    monkeypatch.setenv("COMPANION_NOW", NOW)
    for back in range(1, 20):
        day = TODAY - dt.timedelta(days=back)
        if back % 5 == 0:
            alex.tick(lunch.id, day, skip=True)
        elif back % 3:
            alex.tick(lunch.id, day)
    alex.add_gratitude("Thank you for picking up the kids on Tuesday; I felt looked after.")
    alex.propose_agreement("We pause an argument when either of us says 'pause'")
    alex.sync()
    sam.sync()
    sam.add_gratitude("You asked before giving advice last night. I felt heard.")
    sam.add_gratitude("Thanks for the lunch text on my deadline day. It meant a lot.")
    sam.propose_agreement("Sunday mornings are quiet time for each of us until 11")
    sam.checkin(
        None,
        supported="When you texted at lunch on my deadline day",
        attention=frame_attention(
            "plans change at the last minute", "unimportant", "a message as soon as you know"
        ),
        energy=2,
        limits="No big conversations after 10pm this week",
        victory="Finished the report",
        request="A walk together on Saturday",
    )
    sam.sync()
    alex.sync()
    sam.close()
    alex.close()
    return space


PRACTICE_WEEKS = 5


@pytest.fixture
def practice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Couple:
    """Six weeks of practice, each written on its Thursday evening: ticks Monday to Thursday,
    notes, check-ins held together with small victories, Sam's word on Alex's care."""

    def at(day: dt.date) -> None:
        monkeypatch.setenv("COMPANION_NOW", f"{day.isoformat()}T20:30:00")

    start = TODAY - dt.timedelta(weeks=PRACTICE_WEEKS)
    at(start - dt.timedelta(days=3))  # the Monday of the first week: its ticks begin then
    shared = tmp_path / "shared"
    shared.mkdir()
    pair = Couple(shared, tmp_path / "home-alex", tmp_path / "home-sam")
    # The check-in's prompts rotate by the space id: one fixed id keeps the screens steady.
    monkeypatch.setattr(spacefile, "new_space_id", lambda: SPACE_ID)
    alex = init_space(pair.alex, shared, "Alex", PASSPHRASE)
    sam = join_space(pair.sam, shared, "Sam", PASSPHRASE)
    alex.sync()
    lunch = alex.add_care("Text Sam at lunch on busy days", "daily")
    tea = sam.add_care("Make tea and ask how the day went", "weekdays")
    alex.propose_agreement("We pause an argument when either of us says 'pause'")
    alex.sync()
    sam.sync()
    for back in range(PRACTICE_WEEKS, -1, -1):
        thursday = TODAY - dt.timedelta(weeks=back)
        at(thursday)
        for offset in range(3, -1, -1):
            day = thursday - dt.timedelta(days=offset)
            alex.tick(lunch.id, day, skip=offset == 1 and back % 2 == 0)
            sam.tick(tea.id, day)
        alex.add_gratitude(f"Week {back}: the tea after work. I felt looked after.")
        if back % 2:
            sam.add_gratitude(f"Week {back}: the lunch text made my deadline day lighter.")
        if back < PRACTICE_WEEKS:
            sam.sync()
            sam.review(lunch.id, "landed", iso_week(thursday - dt.timedelta(days=7)))
        if back:  # this week's check-ins are still to come
            alex.checkin(
                None, supported="The tea", attention="When …, I felt …; what would help is …"
            )
            sam.checkin(
                None,
                supported="The lunch text",
                attention="When …, I felt …; what would help is …",
                victory=f"Small victory {back}" if back in (2, 4) else None,
            )
        for session in (alex, sam, alex, sam):
            session.sync()
    sam.accept_agreement("pause")
    sam.sync()
    alex.sync()
    alex.close()
    sam.close()
    monkeypatch.setenv("COMPANION_NOW", NOW)
    monkeypatch.setenv("COMPANION_HOME", str(pair.alex))
    return pair


# -- driving the app ------------------------------------------------------------------------


def busy(app: CompanionApp) -> list:
    """Workers still to finish: all but the watcher, which runs as long as the app."""
    return [w for w in app.workers if w.group != "watch" and w.state in ACTIVE]


async def settle(pilot: Pilot) -> None:
    """Wait until no worker runs and what the workers posted has been shown."""
    app = pilot.app
    for _ in range(200):
        running = busy(app)
        if running:  # (an empty list would mean every worker, the watcher too)
            await app.workers.wait_for_complete(running)
        await pilot.pause()
        if not busy(app):
            await pilot.pause()
            if not busy(app):
                return
    raise AssertionError("workers kept running")


async def opened(pilot: Pilot) -> None:
    """Wait for the unlock worker, then for Tonight to have loaded."""
    app = pilot.app
    for _ in range(200):
        await settle(pilot)
        if getattr(app, "backend", None) is not None and isinstance(app.screen, TonightScreen):
            await settle(pilot)
            return
        await pilot.pause(0.05)
    raise AssertionError(f"the app did not open; it shows {app.screen}")


def goto(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    """Open the app, then press keys (waiting after each), for snapshots."""

    async def run_before(pilot: Pilot) -> None:
        await opened(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*text)


async def paste(pilot: Pilot, text: str) -> None:
    """Paste into the focused field, as people do with long paths and passphrases."""
    focused = pilot.app.focused
    assert focused is not None
    focused.post_message(events.Paste(text))
    await pilot.pause()


def notes(app: CompanionApp, which: str) -> list[NoteRow]:
    """The notes Gratitude shows in one of its lists ("#inbox" or "#sent")."""
    return app.screen.query_one(which, NoteList).rows


def text_of(widget: Widget) -> str:
    return str(widget.render())


def due_rows(app: CompanionApp) -> list[DueRow]:
    return app.screen.query_one(DueList).rows


def new_notes(app: CompanionApp) -> list[NoteRow]:
    """The notes Tonight lists as new."""
    return app.screen.query_one(NewNotes).rows


async def click_due_link(pilot: Pilot, index: int, word: str) -> None:
    """Click a link in Tonight's row `index` (its "Done", say); each row is two lines here,
    the title, then the details with the links."""
    due = pilot.app.screen.query_one(DueList)
    lines = due_content(due.rows[index], index).plain.split("\n")
    line = next(n for n, text in enumerate(lines) if word in text)
    column = lines[line].index(word)
    await pilot.click(due, offset=(due.styles.padding.left + column + 1, 2 * index + line))


def footer_width(app: CompanionApp) -> int:
    """Columns the compact footer needs for what it shows now, "▏^p palette" included."""
    shown = [b.binding for b in app.screen.active_bindings.values() if b.binding.show]
    keys = sum(len(app.get_key_display(b)) + len(b.description) + 2 for b in shown)
    return keys + len("▏^p palette")


def assert_footer_fits(app: CompanionApp) -> None:
    assert footer_width(app) <= SIZE[0], [
        b.binding.description for b in app.screen.active_bindings.values() if b.binding.show
    ]


def notices(messages: list[Message]) -> list[str]:
    return [
        f"{m.notification.title}: {m.notification.message}"
        for m in messages
        if isinstance(m, Notify)
    ]


# -- setup and unlock -----------------------------------------------------------------------


async def test_setup_creates_a_space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, shared = tmp_path / "home", tmp_path / "shared"
    shared.mkdir()
    monkeypatch.setenv("COMPANION_HOME", str(home))
    messages: list[Message] = []
    app = CompanionApp(sync_interval=None)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert app.focused is app.screen.query_one("#folder")
        await paste(pilot, str(shared))
        await pilot.press("enter")
        await type_text(pilot, "Alex")
        await pilot.press("enter")
        await paste(pilot, PASSPHRASE)
        await pilot.press("enter")
        await type_text(pilot, "a different one")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert "Not quite: The two passphrases are different." in "\n".join(
            n.split("\n")[0] for n in notices(messages)
        )
        assert not profiles.exists(home)

        app.screen.query_one("#pass2", Input).value = ""
        app.screen.query_one("#pass2", Input).focus()
        await paste(pilot, PASSPHRASE)
        await pilot.press("enter")
        await opened(pilot)
        assert profiles.exists(home)
        assert (shared / "companion" / "space.json").exists()
        assert app.screen.query_one("#notes-title").render().plain == "New from your partner"
    session = Session.unlock(home, PASSPHRASE)
    assert session.name_of(session.me) == "Alex"


async def test_setup_joins_the_partners_space(space: Couple, tmp_path: Path) -> None:
    app = CompanionApp(home=tmp_path / "home-sam-laptop", sync_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("shift+tab", "right", "enter")  # the "Join" choice
        assert not app.screen.query_one("#pass2", Input).display
        await pilot.press("tab")
        await paste(pilot, str(space.shared))
        await pilot.press("enter")
        await type_text(pilot, "Sam")
        await pilot.press("enter")
        await paste(pilot, PASSPHRASE)
        await pilot.press("enter")
        await opened(pilot)
        with app.backend.session() as session:
            assert session.name_of(session.partner) == "Alex"
            assert not session.is_confirmed()  # another device of Sam's waits (issue 12)
            code = session.my_code()
        sam = space.session("sam")
        sam.sync()
        sam.approve_device(code)
        sam.close()
        with app.backend.session() as session:
            session.sync()
            assert session.is_confirmed()
            assert session.name_of(session.me) == "Sam"
            assert session.name_of(session.partner) == "Alex"


async def test_unlock_refuses_a_wrong_passphrase_then_opens(space: Couple) -> None:
    outbox = space.alex / "outbox"
    before = sorted(p.name for p in outbox.iterdir())
    app = space.app("alex", passphrase=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        field = app.screen.query_one("#passphrase", Input)
        assert field.password and app.focused is field
        await type_text(pilot, "not the passphrase")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        status = text_of(app.screen.query_one("#unlock-status"))
        assert status == "That passphrase doesn't open this space."
        assert app.focused is field and field.value == "" and not field.disabled
        assert sorted(p.name for p in outbox.iterdir()) == before

        await paste(pilot, PASSPHRASE)
        await pilot.press("enter")
        await opened(pilot)
        assert app.screen.sub_title == "Thursday 26 November"
        assert field.value == ""


async def test_passphrase_from_the_environment_unlocks_without_asking(
    space: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPANION_PASSPHRASE", PASSPHRASE)
    app = CompanionApp.from_environment()
    app.sync_interval, app.watch_folder = None, False
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        assert app.home == space.alex


async def test_a_key_remembered_on_this_device_opens_without_asking(space: Couple) -> None:
    alex = space.session("alex")
    alex.remember(allow_file=True)
    alex.close()
    app = space.app("alex", passphrase=None)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)


# -- Tonight --------------------------------------------------------------------------------


async def test_tonight_ticks_done_skip_and_undo_by_key_and_click(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        assert_footer_fits(app)
        assert [r.title for r in due_rows(app)] == [
            "Plan one small outing together",
            "Text Sam at lunch on busy days",
        ]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("down", "s")
        await settle(pilot)
        statuses = {r.title: r.status for r in due_rows(app)}
        assert statuses == {
            "Plan one small outing together": m.DONE,
            "Text Sam at lunch on busy days": m.SKIPPED,
        }
        await pilot.press("u")
        await settle(pilot)
        assert [r.status for r in due_rows(app)] == [m.DONE, None]

        await click_due_link(pilot, 1, "Done")
        await settle(pilot)
        assert [r.status for r in due_rows(app)] == [m.DONE, m.DONE]
        await click_due_link(pilot, 0, "Undo")
        await settle(pilot)
        assert [r.status for r in due_rows(app)] == [None, m.DONE]
        await pilot.click(app.screen.query_one(DueList), offset=(3, 2))  # a row, not a link
        await pilot.press("u")
        await settle(pilot)
        assert [r.status for r in due_rows(app)] == [None, None]
    with_ticks = {i.action.get("title"): i.status for i in evening.session("alex").due_today()}
    assert with_ticks == {
        "Plan one small outing together": None,
        "Text Sam at lunch on busy days": None,
    }


async def test_a_slow_save_doesnt_wipe_the_next_note_begun_meanwhile(
    evening: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A note's field is emptied as it is sent, so the next can begin while it saves; the
    save, once done, leaves the next one be. A note that can't be saved comes back."""
    from companion.errors import CompanionError
    from companion.tui import changes

    release = threading.Event()
    send = changes.send_note

    def slow_send(session: Session, text: str) -> str:
        release.wait(30)  # the save takes its time (a busy disk, a loaded machine)
        if text == "Thanks for the tea; it calmed me":
            raise CompanionError("The shared folder can't be written just now.")
        return send(session, text=text)

    monkeypatch.setattr(changes, "send_note", slow_send)
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("n")
        field = app.screen.query_one("#note-input", Input)
        await type_text(pilot, "Thank you for the walk")
        await pilot.press("enter")
        await pilot.pause()
        assert field.value == ""  # at once, while the save goes on
        await type_text(pilot, "And for the soup")
        release.set()
        await settle(pilot)
        assert field.value == "And for the soup"
        assert app.screen.focused is field
        release.clear()
        field.value = ""
        await type_text(pilot, "Thanks for the tea; it calmed me")
        await pilot.press("enter")
        await pilot.pause()
        assert field.value == ""
        release.set()
        await settle(pilot)
        assert field.value == "Thanks for the tea; it calmed me"  # not lost
    sam = evening.session("sam")
    sam.sync()
    texts = {n.get("text") for n in sam.notes()}
    assert "Thank you for the walk" in texts and "Thanks for the tea; it calmed me" not in texts


async def test_tonight_shows_new_notes_banner_and_sends_a_quick_note(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        notes = new_notes(app)
        assert [n.author for n in notes] == ["Sam", "Sam"] and all(n.new for n in notes)
        assert "Sam has shared this week's check-in" in text_of(app.screen.query_one("#banner"))
        await pilot.press("n")
        await type_text(pilot, "Thank you for the walk")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#note-input", Input).value == ""
        # Shown as new for the rest of this run, though now marked read.
        assert len(new_notes(app)) == 2
    sam = evening.session("sam")
    sam.sync()
    texts = {n.get("text"): n for n in sam.notes()}
    assert texts["Thank you for the walk"].get("to") == sam.me
    assert all(n.get("read") for n in sam.notes() if n.author == sam.me)


async def test_tonight_marks_a_note_landed_by_key_and_keeps_the_cursor_on_it(
    evening: Couple,
) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("tab")  # from the care list to the notes
        notes = app.screen.query_one(NewNotes)
        assert app.screen.focused is notes and notes.index == 0
        await pilot.press("down")
        second = notes.rows[1].id
        await pilot.press("l")
        await settle(pilot)
        assert [n.landed for n in new_notes(app)] == [False, True]
        assert notes.current is not None and notes.current.id == second  # read again, same note
        first = note_content(notes.rows[0], received=True).wrap(notes.content_size.width)
        await pilot.click(notes, offset=(3, 0))  # the first note's text, not its link
        assert notes.index == 0
        await pilot.click(notes, offset=(3, len(first)))  # the blank line between two notes
        assert notes.index == 0
        await pilot.click(notes, offset=(3, len(first) + 1))  # the second note's first line
        assert notes.index == 1
    sam = evening.session("sam")
    sam.sync()
    assert [n.get("landed", False) for n in sam.notes() if n.author == sam.me].count(True) == 1


# -- Gratitude ------------------------------------------------------------------------------


async def test_gratitude_composes_with_gentle_prompts_and_marks_landed(evening: Couple) -> None:
    messages: list[Message] = []
    app = evening.app("alex")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await opened(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, GratitudeScreen)
        hint = app.screen.query_one("#note-hint")
        assert text_of(hint).startswith("Name one thing Sam did")
        await pilot.press("ctrl+s")  # an empty note is refused kindly
        await settle(pilot)
        assert any(n.startswith("Not quite: The note is empty.") for n in notices(messages))

        await pilot.press("n")
        assert isinstance(app.focused, TextArea)
        await type_text(pilot, "The tea")
        assert text_of(hint).startswith("A detail helps")
        await type_text(pilot, " you made when I got home late")
        assert text_of(hint).startswith("And how did it feel")
        await type_text(pilot, " made me feel looked after.")
        assert text_of(hint).startswith("That's specific and kind")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.query_one("#note-text", TextArea).text == ""
        sent = [n.text for n in notes(app, "#sent")]
        assert sent[0] == "The tea you made when I got home late made me feel looked after."

        app.screen.query_one("#inbox").focus()
        await pilot.press("l")
        await settle(pilot)
        inbox = notes(app, "#inbox")
        assert inbox[0].landed and not inbox[1].landed
    sam = evening.session("sam")
    sam.sync()
    landed = [n.get("text") for n in sam.notes() if n.get("landed")]
    assert landed == ["Thanks for the lunch text on my deadline day. It meant a lot."]


# -- Care -----------------------------------------------------------------------------------


async def test_care_adopts_a_partners_need_with_a_cadence(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CareScreen)
        assert app.focused is app.screen.query_one("#partner-needs")
        await pilot.press("down", "enter")  # "Ask before giving advice"
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CareActionDialog)
        assert dialog.query_one("#care-title", Input).value == "Ask before giving advice"
        await pilot.press("enter", "down", "enter")  # to the cadence; Weekdays
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CareScreen)
        titles = [i.row.title for i in app.screen.query("#my-actions ActionItem")]  # type: ignore[attr-defined]
        assert "Ask before giving advice" in titles
    alex = evening.session("alex")
    need = next(n for n in alex.core(m.NEED) if n.get("text") == "Ask before giving advice")
    action = next(a for a in alex.my_actions() if a.get("need") == need.id)
    assert action.get("cadence") == m.WEEKDAYS
    assert action.get("for") == need.author


async def test_care_shows_consistency_where_a_skip_is_rest() -> None:
    # In words, never a count; rest counts with care toward a steady week.
    action_week = rules.WeekConsistency("2026-W47", done=4, skipped=2, due=7)
    assert week_text(action_week, m.DAILY, current=False) == "steady ☾"
    assert week_text(action_week, m.DAILY, current=True) == "given ☾"
    some = rules.WeekConsistency("2026-W47", done=2, skipped=0, due=7)
    assert week_text(some, m.DAILY, current=False) == "some days"
    rest_week = rules.WeekConsistency("2026-W47", done=0, skipped=1, due=1)
    assert week_text(rest_week, m.WEEKLY, current=False) == "☾ rested"
    for done in range(8):
        for skipped in range(8 - done):
            week = rules.WeekConsistency("2026-W47", done=done, skipped=skipped, due=7)
            for cadence in (m.DAILY, m.WEEKLY, m.AS_NEEDED):
                for current in (True, False):
                    assert not any(c.isdigit() for c in week_text(week, cadence, current))


# -- Agreements -----------------------------------------------------------------------------


async def test_agreement_proposed_by_one_and_accepted_by_the_other(space: Couple) -> None:
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AgreementsScreen)
        await pilot.press("n")
        await type_text(pilot, "Ask before giving advice")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        agreements = app.screen.query_one(AgreementList)
        [row] = [i.row for i in app.screen.query(AgreementItem)]
        assert row.mine and row.status == m.PROPOSED
        assert agreements.check_action("accept", ()) is False  # not Alex's to accept

    app.close_session()

    app = space.app("sam")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        app.sync_now()
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen.query_one(AgreementList).check_action("accept", ()) is True
        await pilot.press("y")
        await settle(pilot)
        [row] = [i.row for i in app.screen.query(AgreementItem)]
        assert row.status == m.ACCEPTED and row.accepted_by == "Sam"
    app.close_session()
    alex = space.session("alex")
    alex.sync()
    [agreement] = alex.core(m.AGREEMENT)
    assert agreement.get("status") == m.ACCEPTED


async def test_links_in_a_row_act_as_its_keys_do(evening: Couple) -> None:
    """Rows draw themselves (one widget each): "Accept", "Adopt", "This landed" are links."""
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        notes = app.screen.query_one(NewNotes)
        lines = note_content(notes.rows[0], received=True).wrap(notes.content_size.width)
        column = lines[-1].plain.index("This landed")
        offset = (notes.styles.padding.left + column + 1, len(lines) - 1)
        await pilot.click(notes, offset=offset)
        await settle(pilot)
        assert new_notes(app)[0].landed
        # The quick note's field is made when asked for, here by its link.
        assert not app.screen.query("#note-input")
        label = app.screen.query_one("#quick-note", Static)
        column = text_of(label).index("write one")
        await pilot.click(label, offset=(label.styles.padding.left + column + 1, 0))
        await settle(pilot)
        assert app.screen.focused is app.screen.query_one("#note-input", Input)
        assert "Enter sends it" in text_of(label)
        await pilot.press("escape", "a")
        await settle(pilot)
        [item] = [i for i in app.screen.query(AgreementItem) if i.acceptable]
        meta = text_of(item).split("\n")[-1]
        await pilot.click(item, offset=(meta.index("Accept") + 1, 1))
        await settle(pilot)
        accepted = [i.row for i in app.screen.query(AgreementItem) if i.row.id == item.row.id]
        assert accepted[0].status == m.ACCEPTED


# -- Check-in -------------------------------------------------------------------------------


async def test_checkin_form_submits_and_shows_both_side_by_side(evening: Couple) -> None:
    messages: list[Message] = []
    app = evening.app("alex")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await opened(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, CheckinScreen)
        switch = app.screen.query_one("#week-switch", ContentSwitcher)
        assert switch.current == "form"
        assert_footer_fits(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("Start with one recent moment" in n for n in notices(messages))

        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#supported")
        # In the guided order: thanks, what went right (left empty), one issue, a request
        # (left empty), then energy and limits.
        for answer in ("You made dinner on Tuesday", "", "I came home late", "alone", "a text", ""):
            await type_text(pilot, answer)
            await pilot.press("enter")
        await pilot.press("right", "right", "enter")  # energy 3
        await pilot.press("tab")
        await type_text(pilot, "Quiet Sunday morning")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert switch.current == "shared"
        assert app.focused is not None and app.focused.id != "limits"
        # Sam's answers open once Sam's app has seen Alex's check-in and published its key.
        evening.session("sam").sync()
        app.sync_now()
        await settle(pilot)
        cards = list(app.screen.query(CheckinCard))
        assert [c.border_title for c in cards] == ["Yours", "Sam's"]
        assert cards[1].answers["victory"] == "Finished the report"
        assert "You've both shared" in text_of(app.screen.query_one("#shared-lead"))
        assert_footer_fits(app)
    mine = evening.session("alex").checkin_state().mine
    assert mine is not None
    assert mine.get("attention") == (
        "When I came home late, I felt alone; what would help is a text."
    )
    assert mine.get("energy") == 3 and mine.get("limits") == "Quiet Sunday morning"
    assert mine.get("victory") is None


async def test_checkin_stays_sealed_until_both_share_or_the_author_unseals(space: Couple) -> None:
    alex = space.session("alex")
    alex.checkin(None, supported="The walk", attention="When …, I felt …; what would help is …")
    alex.sync()
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("w")
        await settle(pilot)
        cards = list(app.screen.query(CheckinCard))
        assert [c.border_title for c in cards] == ["Yours"]
        assert "sealed until Sam shares theirs" in text_of(app.screen.query_one("#shared-lead"))
        assert_footer_fits(app)
        sam = space.session("sam")
        sam.sync()
        assert sam.checkin_state().theirs.get("sealed") is True

        await pilot.press("u")  # the author may unseal early, after a gentle question
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
    sam.sync()
    theirs = sam.checkin_state().theirs
    assert theirs.get("sealed") is False and theirs.get("supported") == "The walk"


async def test_checkin_receiver_reviews_last_weeks_care(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("w", "2")
        await settle(pilot)
        [item] = list(app.screen.query(ReviewItem))
        assert item.row.title == "Make tea and ask how the day went"
        assert_footer_fits(app)
        await pilot.press("l")
        await settle(pilot)
        [item] = list(app.screen.query(ReviewItem))
        assert item.row.verdict == "landed"
        await pilot.click("#reviews .not-needed")
        await settle(pilot)
        [item] = list(app.screen.query(ReviewItem))
        assert item.row.verdict == "not-needed"
    reviews = evening.session("alex").dated([m.REVIEW])
    assert [(r.get("week"), r.get("verdict")) for r in reviews] == [("2026-W47", "not-needed")]


def test_attention_framing_round_trips() -> None:
    framed = frame_attention("When we rush out", "I felt rushed.", "what would help is time")
    assert framed == "When we rush out, I felt rushed; what would help is time."
    assert split_attention(framed) == ("we rush out", "rushed", "time")
    assert split_attention("free text") == ("free text", "", "")


# -- the app around the screens -------------------------------------------------------------


async def test_every_screen_has_a_key_and_a_palette_command(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        assert nav_width() <= SIZE[0]
        for key, mode in [
            ("c", "care"),
            ("g", "gratitude"),
            ("w", "checkin"),
            ("a", "agreements"),
            ("p", "progress"),
            ("h", "history"),
            ("comma", "settings"),
            ("question_mark", "help"),
            ("t", "tonight"),
        ]:
            # Every screen's key is in the footer's first row, the current one marked.
            nav = app.screen.query_one(BottomBar)
            assert nav.current == app.current_mode
            destination = BY_MODE[mode]
            assert destination.key == key
            assert f"{destination.shown_key} {destination.label}" in text_of(nav).split("\n")[0]
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
            assert_footer_fits(app)
            assert app.screen.query_one(BottomBar).region.width == SIZE[0]
        titles = {c.title for c in app.get_system_commands(app.screen)}
        labels = {"Tonight", "Care", "Gratitude", "Check-in", "Agreements", "Help"}
        assert labels | {"Progress", "History", "Settings", "Keys", "Sync now"} <= titles

        await pilot.press("f1")  # the keys of this screen, the app's own first; Esc closes
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        shown = text_of(app.screen.query_one("#keys-list Static"))
        assert shown.index("On this screen") < shown.index("Screens") < shown.index("Moving")
        assert shown.index("These keys") < shown.index("Scroll")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, KeysScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert not isinstance(app.screen, KeysScreen)


async def test_a_sync_pass_brings_the_partners_note_and_says_so(space: Couple) -> None:
    messages: list[Message] = []
    app = space.app("alex")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await opened(pilot)
        assert not new_notes(app)
        sam = space.session("sam")
        sam.add_gratitude("You remembered my appointment. I felt cared for.")
        app.sync_now()
        await settle(pilot)
        assert "Arrived: Sam sent you a note." in notices(messages)
        [note] = new_notes(app)
        assert note.text == "You remembered my appointment. I felt cared for." and note.new


async def test_a_partners_note_arrives_live_while_the_app_is_open(space: Couple) -> None:
    """The watcher sees Sam's new segment land and the open app shows it, with no key pressed."""
    messages: list[Message] = []
    app = CompanionApp(home=space.alex, passphrase=PASSPHRASE, sync_interval=60)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await opened(pilot)
        # the partner's folders, and this device's own copy (for its shell commands)
        watchers = [w for w in app.workers if w.group == "watch"]
        assert [w.state for w in watchers] == [WorkerState.RUNNING] * 2
        assert app.sync_state is not None and app.sync_state.text == "Up to date"
        await pilot.pause(0.5)  # the watcher's first look at the folder
        sam = space.session("sam")
        text = "You remembered my appointment. I felt cared for."
        await asyncio.to_thread(sam.add_gratitude, text)
        landed = time.monotonic()
        while not [n for n in new_notes(app) if n.text == text]:
            assert time.monotonic() - landed < 10, "the note never showed"
            await pilot.pause(0.05)
        assert "Arrived: Sam sent you a note." in notices(messages)
        assert text_of(app.screen.query_one(AppHeader)).endswith("Up to date")
        sam.close()
        closing = time.monotonic()
    assert time.monotonic() - closing < 5  # the watcher let the app close promptly


async def test_the_status_line_says_when_changes_wait_for_the_folder(space: Couple) -> None:
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        assert text_of(app.screen.query_one(AppHeader)).endswith("Up to date")
        (space.shared / "companion").rename(space.shared / "elsewhere")  # unmounted
        await pilot.press("n")
        await type_text(pilot, "Thanks for the walk")
        await pilot.press("enter")
        await settle(pilot)
        app.sync_now()
        await settle(pilot)
        shown = text_of(app.screen.query_one(AppHeader))
        assert shown.endswith("1 change waiting (shared folder not reachable)")
        (space.shared / "elsewhere").rename(space.shared / "companion")
        app.sync_now()
        await settle(pilot)
        assert text_of(app.screen.query_one(AppHeader)).endswith("Up to date")


async def test_a_damaged_file_is_a_problem_to_look_at(space: Couple) -> None:
    messages: list[Message] = []
    sam = space.session("sam")
    sam.add_gratitude("one")
    sam.add_gratitude("two")
    own = space.shared / "companion" / "devices" / sam.profile.device_id
    sam.close()
    segment = sorted(own.glob("*.seg"))[-2]
    damaged = bytearray(segment.read_bytes())
    damaged[-5] ^= 0xFF
    segment.write_bytes(bytes(damaged))
    app = space.app("alex")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await opened(pilot)
        app.sync_now()
        await settle(pilot)
        assert text_of(app.screen.query_one(AppHeader)).endswith("A problem to look at")
        assert any(n.startswith("Sharing hit a snag: Device") for n in notices(messages))
        header = app.screen.query_one(AppHeader)  # the status, at its right end: its details
        await pilot.click(header, offset=(header.size.width - 3, 0))  # are in Settings
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        problems = text_of(app.screen.query_one("#folder-problems"))
        assert problems.startswith(f"Device {sam.profile.device_id[:8]}:")
        assert "companion verify" in problems


def test_sync_state_words() -> None:
    assert SyncState().text == "Up to date"
    assert SyncState(waiting=2).text == "2 changes waiting"
    offline = SyncState(folder_available=False, waiting=1)
    assert offline.text == "1 change waiting (shared folder not reachable)"
    problem = Problem("damaged", "abcdef0123456789", 4, "segment 4 failed to open")
    assert SyncState(problems=(problem,)).text == "A problem to look at"
    assert SyncState(folder_available=False).text == "Shared folder not reachable"


async def test_tonight_shows_what_arrived_since_i_last_looked(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)  # this device's first look: the unread notes are new
        assert len(new_notes(app)) == 2
        assert not app.screen.query_one("#landed").display
        sam = evening.session("sam")
        sam.sync()
        [mine] = [n for n in sam.notes() if n.get("to") == sam.me]
        sam.mark_notes([mine], read=True, landed=True)
        app.sync_now()
        await settle(pilot)
        landed = text_of(app.screen.query_one("#landed"))
        assert landed.startswith("♥ Sam says your note “Thank you for picking up the kids")
    app.close_session()  # the marker is written with the session's bookkeeping
    sam.add_gratitude("The walk on Sunday was exactly what I needed.")
    sam.close()
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        app.sync_now()
        await settle(pilot)
        notes = [n.text for n in new_notes(app)]
        assert notes == ["The walk on Sunday was exactly what I needed."]
        # Seen last time: the landed mark and Sam's check-in are not new any more.
        assert not app.screen.query_one("#landed").display
        assert text_of(app.screen.query_one("#banner")).startswith("Sam has shared")


async def test_tonight_reports_its_first_paint_for_the_benchmark(
    space: Couple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events_file = tmp_path / "bench.events"
    monkeypatch.setenv("COMPANION_BENCH_EVENTS", str(events_file))
    monkeypatch.setenv("COMPANION_BENCH_EXIT", "1")
    app = space.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            if events_file.exists() and not app.is_running:
                break
            await pilot.pause(0.05)
    [line] = events_file.read_text().splitlines()
    kind, stamp = line.split()
    assert kind == "painted" and abs(float(stamp) - time.time()) < 60


async def test_gratitude_builds_a_limited_number_of_notes_and_more_on_request(
    practice: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read_gratitude, "NOTES_SHOWN", 2)
    app = practice.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("g")
        await settle(pilot)
        sent = [n.text[:6] for n in notes(app, "#sent")]
        assert sent == ["Week 0", "Week 1"]
        assert len(notes(app, "#inbox")) == 2
        assert_footer_fits(app)
        await pilot.press("o")
        await settle(pilot)
        assert len(notes(app, "#sent")) == 4
        assert len(notes(app, "#inbox")) == 3  # all of Sam's
        await pilot.press("o", "o")
        await settle(pilot)
        assert len(notes(app, "#sent")) == PRACTICE_WEEKS + 1
        assert app.screen.check_action("older", ()) is False


# -- Progress -------------------------------------------------------------------------------


async def test_progress_shows_each_week_as_the_receiver_felt_it(
    practice: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read_progress, "PROGRESS_WEEKS", 4)
    app = practice.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ProgressScreen)
        assert_footer_fits(app)
        weeks = [card.week for card in app.screen.query(WeekCard)]
        assert [w.week for w in weeks] == ["2026-W48", "2026-W47", "2026-W46", "2026-W45"]
        this_week, last_week = weeks[0], weeks[1]
        assert this_week.current and not this_week.checkin_held
        alex, sam = last_week.people
        assert (alex.name, sam.name) == ("Alex", "Sam")
        # Sam received Alex's note and felt supported; the lunch text landed for Sam.
        assert (sam.notes_received, sam.care_landed, sam.felt_supported) == (1, 1, True)
        assert alex.notes_received == 1
        assert last_week.checkin_held
        card_text = text_of(list(app.screen.query(WeekCard))[2])
        assert "✓ check-in held together" in card_text
        assert "★ Sam: Small victory 2" in card_text
        # In words, as each felt it: no count of care given or rested, no number at all.
        sam_line = next(line for line in card_text.splitlines() if line.strip().startswith("Sam"))
        assert "felt supported" in sam_line and "care that landed" in sam_line, sam_line
        screen_text = text_of(app.screen.query_one("#progress-body"))
        assert "gave" not in screen_text and "done" not in screen_text and "rest" not in screen_text
        people_lines = [
            line
            for card in app.screen.query(WeekCard)
            for line in text_of(card).splitlines()
            if line.strip().startswith(("Alex", "Sam"))
        ]
        assert people_lines and not any(c.isdigit() for c in "".join(people_lines))
        overview = text_of(app.screen.query_one("#overview"))
        assert "support felt" in overview and "check-ins" in overview
        assert "Alex" not in overview and "Sam" not in overview  # one line: compares no one

        await pilot.press("o")  # the weeks before, back to the week the space began
        await settle(pilot)
        assert [card.week.week for card in app.screen.query(WeekCard)][-1] == "2026-W43"
        assert app.screen.check_action("earlier", ()) is False


def test_progress_reads_only_the_months_its_weeks_fall_in(
    practice: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = practice.session("alex")
    read: list[list[str]] = []
    original = session.dated

    def dated(types, partitions=None, **kwargs):
        read.append(list(partitions or []))
        return original(types, partitions, **kwargs)

    monkeypatch.setattr(session, "dated", dated)
    view = progress(session, count=2)
    assert [w.week for w in view.weeks] == ["2026-W48", "2026-W47"]
    assert view.earlier == "2026-W46"
    assert read == [["m-2026-11"]]
    assert spark([0, 1, 2, 4]) == "▁▃▅█"
    assert spark([1, 1], top=4) == "▃▃"


# -- History --------------------------------------------------------------------------------


async def test_history_by_week_searchable_and_an_earlier_month_on_request(
    practice: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_screen, "FIRST_MONTHS", 1)
    app = practice.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("h")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        assert_footer_fits(app)

        def weeks() -> list[str]:
            return [text_of(w).split("\n")[0] for w in screen.query(".history-week")]

        # November only: the week that began in October waits for October.
        assert weeks() == [
            "Week of 23–29 Nov 2026",
            "Week of 16–22 Nov 2026",
            "Week of 9–15 Nov 2026",
            "Week of 2–8 Nov 2026",
        ]
        newest = text_of(screen.query(".history-week").first())
        assert "♥ Alex → Sam, today: Week 0: the tea after work." in newest
        # What care was given, never how often or who rested.
        assert "✓ Care you gave: Text Sam at lunch on busy days" in newest
        assert "✓ Care Sam gave: Make tea and ask how the day went" in newest
        assert "done" not in newest and "rest" not in newest
        last_week = text_of(screen.query(".history-week")[1])
        assert "◆ Sam's check-in" in last_week and "A moment I felt supported" in last_week

        await pilot.press("slash")
        assert app.focused is screen.query_one("#history-search")
        await type_text(pilot, "DEADLINE day")
        await settle(pilot)
        assert weeks() == ["Week of 16–22 Nov 2026", "Week of 2–8 Nov 2026"]
        found = text_of(screen.query(".history-week").first())
        assert "Week 1: the lunch text made my deadline day lighter." in found
        assert "the tea" not in found and "check-in" not in found
        await pilot.press("escape")
        await pilot.press("o")  # October too
        await settle(pilot)
        assert weeks()[-1] == "Week of 19–25 Oct 2026"
        screen.query_one("#history-search", Input).value = "pause"
        await settle(pilot)
        [agreed] = [text_of(w) for w in screen.query(".history-week")]
        assert "Agreement proposed by Alex: We pause an argument" in agreed
        assert "(agreed)" in agreed
        assert screen.check_action("earlier", ()) is False


# -- Settings -------------------------------------------------------------------------------


async def open_settings(pilot: Pilot) -> SettingsScreen:
    await opened(pilot)
    await pilot.press("comma")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    return screen


async def test_settings_rename_checkin_day_and_theme(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        assert_footer_fits(app)
        await pilot.press("tab")
        assert app.focused is screen.query_one("#name")
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "Alexandra")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("tab", "enter", "up", "enter")  # check-in day: Sunday → Saturday
        await settle(pilot)
        await pilot.press("tab", "enter", "down", "enter")  # theme: the next one
        await settle(pilot)
        assert app.theme == "dracula"
        await pilot.press("escape", "t")
        await settle(pilot)
        assert app.screen.query_one("#notes-title").render().plain == "New from Sam"
    app.close_session()
    alex = evening.session("alex")
    assert alex.name_of(alex.me) == "Alexandra"
    assert alex.checkin_day() == 5
    assert alex.preference("theme") == "dracula"
    alex.close()
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        assert app.theme == "dracula"  # applied at start, on this device


async def test_settings_export_writes_the_file_and_warns_it_is_plain(
    evening: Couple, tmp_path: Path
) -> None:
    messages: list[Message] = []
    target = tmp_path / "out" / "journal.md"
    target.parent.mkdir()
    app = evening.app("alex")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_settings(pilot)
        assert "not encrypted" in text_of(screen.query_one("#export-warning"))
        field = screen.query_one("#export-path", Input)
        assert field.value == "~/companion-export-2026-11-26.md"
        field.focus()
        field.value = ""
        await paste(pilot, str(target))
        await pilot.press("enter")
        await settle(pilot)
        assert target.read_text().startswith("# Our companion journal")
        assert any("It is not encrypted" in n for n in notices(messages))
        screen.query_one("#export-format").value = "json"  # type: ignore[attr-defined]
        await pilot.pause()
        assert field.value.endswith("journal.json")
        await pilot.press("enter")
        await settle(pilot)
        assert target.with_suffix(".json").read_text().lstrip().startswith("{")
        assert target.stat().st_mode & 0o777 == 0o600


async def test_settings_changes_the_passphrase_in_a_modal(evening: Couple) -> None:
    new = "a brand new evening passphrase"
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#passphrase").focus()
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PassphraseDialog)
        assert app.focused is dialog.query_one("#new-pass")
        await paste(pilot, new)
        await pilot.press("enter")
        await type_text(pilot, "something else")
        await pilot.press("enter")
        assert isinstance(app.screen, PassphraseDialog)
        assert "different" in text_of(dialog.query_one("#pass-error"))
        await paste(pilot, new)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
    with pytest.raises(Exception, match="passphrase"):
        Session.unlock(evening.alex, PASSPHRASE)
    Session.unlock(evening.sam, new).close()  # one space, one passphrase, for both


async def test_settings_remembers_in_a_key_file_only_after_a_warning(
    evening: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keychain, "keychain_available", lambda: False)
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        assert "no keychain" in text_of(screen.query_one("#remember-note"))
        screen.query_one("#remember").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # "Don't" has the focus
        await settle(pilot)
        assert not (evening.alex / keychain.KEY_FILE).exists()
        assert screen.query_one("#remember").value is False  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
        assert (evening.alex / keychain.KEY_FILE).exists()
        assert text_of(screen.query_one("#remember-note")).startswith("On: kept in a key file")
    app.close_session()
    Session.open_remembered(evening.alex).close()


async def test_every_built_in_theme_draws_the_new_screens(practice: Couple) -> None:
    app = practice.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        keys = ("p", "h", "comma")
        for index, theme in enumerate(sorted(BUILTIN_THEMES)):
            if index < len(keys):
                await pilot.press(keys[index])
                await settle(pilot)
            app.theme = theme
            await pilot.pause()
        assert app.is_running


# -- snapshots ------------------------------------------------------------------------------


def test_snapshot_tonight(evening: Couple, snap_compare) -> None:
    assert snap_compare(evening.app("alex"), terminal_size=SIZE, run_before=goto())


def test_snapshot_care(evening: Couple, snap_compare) -> None:
    assert snap_compare(evening.app("alex"), terminal_size=SIZE, run_before=goto("c"))


def test_snapshot_gratitude(evening: Couple, snap_compare) -> None:
    assert snap_compare(evening.app("alex"), terminal_size=SIZE, run_before=goto("g"))


def test_snapshot_checkin_form(evening: Couple, snap_compare) -> None:
    assert snap_compare(evening.app("alex"), terminal_size=SIZE, run_before=goto("w"))


def test_snapshot_checkin_side_by_side(evening: Couple, snap_compare) -> None:
    alex = evening.session("alex")
    alex.checkin(
        None,
        supported="Tea waiting when I got home late on Tuesday",
        attention=frame_attention("we plan the weekend", "unheard", "asking me first"),
        energy=3,
        victory="Two calm evenings in a row",
    )
    evening.session("sam").sync()  # Sam's app sees Alex's check-in and opens its own
    alex.sync()
    assert snap_compare(evening.app("alex"), terminal_size=SIZE, run_before=goto("w"))


def test_snapshot_agreements(evening: Couple, snap_compare) -> None:
    assert snap_compare(evening.app("alex"), terminal_size=SIZE, run_before=goto("a"))


def test_snapshot_help(evening: Couple, snap_compare) -> None:
    assert snap_compare(evening.app("alex"), terminal_size=SIZE, run_before=goto("question_mark"))


def test_snapshot_progress(practice: Couple, snap_compare) -> None:
    assert snap_compare(practice.app("alex"), terminal_size=SIZE, run_before=goto("p"))


def test_snapshot_history(practice: Couple, snap_compare) -> None:
    assert snap_compare(practice.app("alex"), terminal_size=SIZE, run_before=goto("h"))


def test_snapshot_settings(evening: Couple, snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keychain, "keychain_available", lambda: False)

    async def run_before(pilot: Pilot) -> None:
        await goto("comma")(pilot)
        # The shared folder lives under tmp_path: show a stable one.
        pilot.app.screen.query_one("#folder-path").update("~/Sync/us")  # type: ignore[attr-defined]
        # The devices' keys are new on every run: show a stable safety code.
        pilot.app.screen.query_one("#safety-code").update(  # type: ignore[attr-defined]
            "12345 67890 12345 67890 12345 67890\n09876 54321 09876 54321 09876 54321"
        )
        await pilot.pause()

    assert snap_compare(evening.app("alex"), terminal_size=SIZE, run_before=run_before)


def test_stylesheets_ship_with_the_package_and_use_theme_variables_only() -> None:
    screens = [
        CompanionApp,
        SetupScreen,
        UnlockScreen,
        CareScreen,
        GratitudeScreen,
        CheckinScreen,
        AgreementsScreen,
        ProgressScreen,
        HistoryScreen,
        SettingsScreen,
        HelpScreen,
        ConfirmDialog,
        PassphraseDialog,
        KeysScreen,
    ]
    for owner in screens:
        paths = owner.CSS_PATH if isinstance(owner.CSS_PATH, list) else [owner.CSS_PATH]
        for path in map(Path, paths):
            assert path.parent == styles_dir() and path.exists(), owner
    # Tonight, shown first, has its stylesheet loaded with the app's; the rest load with
    # their screens (the unlock screen only shows when there is something to ask).
    loaded_with_app = {Path(p).name for p in CompanionApp.CSS_PATH}
    assert loaded_with_app == {"app.tcss", "tonight.tcss"}
    for sheet in styles_dir().glob("*.tcss"):
        text = sheet.read_text()
        assert not re.search(r"#[0-9a-fA-F]{3,8}\b|\brgb\(|\bhsl\(", text), sheet.name


def test_screen_data_loads_without_textual() -> None:
    """The screens' read models (tui/read/) are plain values: none of them pulls Textual in."""
    code = (
        "import sys, importlib, pkgutil, companion.tui.read as read;"
        "[importlib.import_module(f'companion.tui.read.{m.name}')"
        " for m in pkgutil.iter_modules(read.__path__)];"
        "print('textual' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


async def test_text_that_looks_like_markup_is_shown_as_written(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    pair = Couple(shared, tmp_path / "home-a", tmp_path / "home-b")
    init_space(pair.alex, shared, "[b]Al[/b]", PASSPHRASE).close()
    odd = join_space(pair.sam, shared, "Sam [/]", PASSPHRASE)
    odd.add_need("Say [red]please[/red] and [/]")
    odd.add_gratitude("Thanks for [link=x]this[/link] [/]")
    odd.propose_agreement("[@click=app.quit]Quit[/]")
    odd.close()
    app = pair.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        app.sync_now()  # the periodic sync is off in tests
        await settle(pilot)
        [note] = new_notes(app)
        assert note.text == "Thanks for [link=x]this[/link] [/]"
        assert "Thanks for [link=x]this[/link] [/]" in text_of(app.screen.query_one(NewNotes))
        assert text_of(app.screen.query_one("#notes-title")) == "New from Sam [/]"
        for key in ("c", "g", "w", "a", "t"):
            await pilot.press(key)
            await settle(pilot)
        assert app.is_running


# -- start-up: the helper that opens the space while the app loads -------------------------

HELPER = """
import json, sys
from pathlib import Path
from companion.store import home as profiles
from companion.tui import prefetch

home = Path(sys.argv[1])
passphrase = sys.argv[2] or None
helper = prefetch.start(home, passphrase, remembered=profiles.remembered_in(home) is not None)
opened = helper.take() if helper is not None else None
print(json.dumps(None if opened is None else {
    "key": len(opened.data_key),
    "due": [row.title for row in opened.tonight.due],
    "notes": [row.text for row in opened.tonight.notes],
    "since": opened.since.notes,
    "started": helper is not None,
}))
"""


def run_helper(home: Path, passphrase: str) -> dict | None:
    """The helper as `companion` starts it: first thing, in a process without threads."""
    done = subprocess.run(
        [sys.executable, "-c", HELPER, str(home), passphrase],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def test_the_start_up_helper_reads_what_tonight_shows(evening: Couple) -> None:
    found = run_helper(evening.alex, PASSPHRASE)
    session = evening.session("alex")
    expected = tonight(session, seen_since(session))
    assert found is not None and found["key"] == 32
    assert found["due"] == [row.title for row in expected.due] and found["due"]
    assert found["notes"] == [row.text for row in expected.notes] and found["notes"]
    # it only reads: nothing is marked read or seen by the helper
    assert seen_since(evening.session("alex")).notes == found["since"]


def test_the_start_up_helper_opens_with_a_remembered_key(evening: Couple) -> None:
    alex = evening.session("alex")
    alex.remember(allow_file=True)
    alex.close()
    found = run_helper(evening.alex, "")
    assert found is not None and found["due"]


def test_the_start_up_helper_leaves_a_wrong_passphrase_to_the_app(evening: Couple) -> None:
    before = sorted(p.name for p in (evening.alex / "outbox").iterdir())
    assert run_helper(evening.alex, "not the passphrase") is None
    assert run_helper(evening.sam, "") is None  # nothing to open with: the app asks
    assert sorted(p.name for p in (evening.alex / "outbox").iterdir()) == before


async def test_tonight_painted_from_the_helper_then_its_own_session(evening: Couple) -> None:
    session = evening.session("alex")
    since = seen_since(session)
    read = prefetch.Opened(session.data_key, "nord", since, tonight(session, since))
    session.close()
    app = CompanionApp(home=evening.alex, opened=read, sync_interval=None)
    gc.disable()  # as `companion` starts (entry.py): the app turns it back on once painted
    try:
        async with app.run_test(size=SIZE) as pilot:
            await tonight_from_the_helper(app, pilot, read)
            assert gc.isenabled()
    finally:
        gc.enable()
    # the notes it showed were marked read after it was painted, by the app's own session
    assert not tonight(evening.session("alex"), since).to_mark_read


async def test_the_helpers_reading_may_arrive_after_the_app_started(evening: Couple) -> None:
    """Past the short wait at start-up (a slow keychain, say), the app takes the helper's
    reading in a worker: Tonight fills in from it and the app's own session opens behind."""
    session = evening.session("alex")
    since = seen_since(session)
    read = prefetch.Opened(session.data_key, "nord", since, tonight(session, since))
    session.close()

    class Late:
        home = evening.alex

        def take(self, timeout: float | None = None) -> prefetch.Opened:
            return read

    app = CompanionApp(
        home=evening.alex, prefetch=Late(), remembered=True, sync_interval=None, watch=False
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await tonight_from_the_helper(app, pilot, read)


async def tonight_from_the_helper(app: CompanionApp, pilot: Pilot, read: prefetch.Opened) -> None:
    """Tonight is built with the helper's data (no load of its own, no unlock screen); the
    app's own session opens behind it, and a tick goes through that session."""
    screen = app.screen
    assert isinstance(screen, TonightScreen)
    assert due_rows(app) == list(read.tonight.due)
    assert app.theme == "nord"
    await opened(pilot)
    assert app.backend is not None and app.backend.settled(wait=False)
    await pilot.press("d")
    await settle(pilot)
    assert due_rows(app)[0].status == m.DONE


@pytest.mark.parametrize("how", ["passphrase", "remembered"])
def test_the_companion_command_paints_tonight(evening: Couple, how: str) -> None:
    """`companion` itself, in a terminal: helper, app, Tonight with its data, a clean exit."""
    import os
    import pty

    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPANION_")}
    env.update(COMPANION_HOME=str(evening.alex), COMPANION_NOW=NOW, TERM="xterm-256color")
    if how == "passphrase":
        env["COMPANION_PASSPHRASE"] = PASSPHRASE
    else:
        alex = evening.session("alex")
        alex.remember(allow_file=True)
        alex.close()
    events = evening.alex.parent / f"events-{how}"
    env.update(COMPANION_BENCH_EVENTS=str(events), COMPANION_BENCH_EXIT="1")
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "companion"], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    output = b""
    deadline = time.time() + 60
    while proc.poll() is None and time.time() < deadline:
        try:
            output += os.read(master, 65536)
        except OSError:
            break
    proc.wait(timeout=10)
    os.close(master)
    assert proc.returncode == 0, output.decode(errors="replace")[-2000:]
    assert events.read_text().startswith("painted ")
    assert b"Plan one small outing together" in output  # a row of Tonight, drawn


async def test_settings_set_this_devices_notifications_and_reminder(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        assert screen.query_one("#notify").value is True  # type: ignore[attr-defined]
        assert "never its words" in text_of(screen.query_one("#notify-note"))
        await pilot.click("#sync")  # a sync pass (the app runs one every 20 seconds)
        await settle(pilot)
        screen.query_one("#notify").focus()
        await pilot.press("enter")  # off on this device
        await settle(pilot)
        assert text_of(screen.query_one("#notify-note")).startswith("Off on this device")
        screen.query_one("#remind-at").focus()
        await type_text(pilot, "21:30")
        await pilot.press("enter")
        await settle(pilot)
        screen.query_one("#quiet-hours").focus()
        await type_text(pilot, "late")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "23:00-06:30")
        await pilot.press("enter")
        await settle(pilot)
    app.close_session()
    alex = evening.session("alex")
    settings = alex.notify_settings()
    assert settings.enabled is False and settings.show_text is False
    assert settings.remind_at == "21:30"
    assert settings.quiet == ("23:00", "06:30")
    assert alex.app_opened_at() is not None, "the app's sync pass notes that it was open"
    alex.close()
