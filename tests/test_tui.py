"""The evening TUI, driven by keyboard and mouse through Textual's Pilot, and its snapshots.

Every test builds its own couple with the service layer under tmp_path, pins the clock with
COMPANION_NOW (a Thursday evening) and runs the app at 100×32 with the periodic sync off.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual import events
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, TextArea
from textual.worker import WorkerState

from companion.domain import model as m
from companion.service import Session, init_space, join_space
from companion.store import crypto
from companion.store import profile as profiles
from companion.tui import data
from companion.tui.app import CompanionApp
from companion.tui.resources import styles_dir
from companion.tui.screens.agreements import AgreementsScreen
from companion.tui.screens.care import CareScreen
from companion.tui.screens.checkin import CheckinScreen
from companion.tui.screens.dialogs import CareActionDialog, ConfirmDialog
from companion.tui.screens.gratitude import GratitudeScreen
from companion.tui.screens.help import HelpScreen
from companion.tui.screens.setup import SetupScreen
from companion.tui.screens.tonight import TonightScreen
from companion.tui.screens.unlock import UnlockScreen
from companion.tui.widgets.agreement_list import AgreementItem, AgreementList
from companion.tui.widgets.checkin_card import CheckinCard
from companion.tui.widgets.due_list import DueItem
from companion.tui.widgets.note_list import NoteItem
from companion.tui.widgets.review_list import ReviewItem

PASSPHRASE = "correct horse battery staple"
NOW = "2026-11-26T20:30:00"  # a Thursday evening
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
    alex = init_space(pair.alex, shared, "Alex", PASSPHRASE)
    join_space(pair.sam, shared, "Sam", PASSPHRASE).close()
    alex.sync()
    alex.close()
    monkeypatch.setenv("COMPANION_HOME", str(pair.alex))
    return pair


@pytest.fixture
def evening(space: Couple) -> Couple:
    """A few weeks into the practice: menus, care actions with history, notes, a check-in."""
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
        attention=data.frame_attention(
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


# -- driving the app ------------------------------------------------------------------------


async def settle(pilot: Pilot) -> None:
    """Wait until no worker runs and what the workers posted has been shown."""
    app = pilot.app
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.state in ACTIVE for w in app.workers):
            await pilot.pause()
            if not any(w.state in ACTIVE for w in app.workers):
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


def text_of(widget: Widget) -> str:
    return str(widget.render())


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
        assert "Can't do that: The two passphrases are different." in "\n".join(
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
    app.sync_interval = None
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
        rows = list(app.screen.query(DueItem))
        assert [r.row.title for r in rows] == [
            "Plan one small outing together",
            "Text Sam at lunch on busy days",
        ]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("down", "s")
        await settle(pilot)
        statuses = {r.row.title: r.row.status for r in app.screen.query(DueItem)}
        assert statuses == {
            "Plan one small outing together": m.DONE,
            "Text Sam at lunch on busy days": m.SKIPPED,
        }
        await pilot.press("u")
        await settle(pilot)
        assert [r.row.status for r in app.screen.query(DueItem)] == [m.DONE, None]

        await pilot.click("#due .done")  # the only Done button left: the second row's
        await settle(pilot)
        assert [r.row.status for r in app.screen.query(DueItem)] == [m.DONE, m.DONE]
        await pilot.click("#due .undo")
        await settle(pilot)
        assert [r.row.status for r in app.screen.query(DueItem)] == [None, m.DONE]
    with_ticks = {i.action.get("title"): i.status for i in evening.session("alex").due_today()}
    assert with_ticks == {
        "Plan one small outing together": None,
        "Text Sam at lunch on busy days": m.DONE,
    }


async def test_tonight_shows_new_notes_banner_and_sends_a_quick_note(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        notes = [n.row for n in app.screen.query(NoteItem)]
        assert [n.author for n in notes] == ["Sam", "Sam"] and all(n.new for n in notes)
        assert "Sam has shared this week's check-in" in text_of(app.screen.query_one("#banner"))
        await pilot.press("n")
        await type_text(pilot, "Thank you for the walk")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#note-input", Input).value == ""
        # Shown as new for the rest of this run, though now marked read.
        assert len(app.screen.query(NoteItem)) == 2
    sam = evening.session("sam")
    sam.sync()
    texts = {n.get("text"): n for n in sam.notes()}
    assert texts["Thank you for the walk"].get("to") == sam.me
    assert all(n.get("read") for n in sam.notes() if n.author == sam.me)


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
        assert any(n.startswith("Can't do that: The note is empty.") for n in notices(messages))

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
        sent = [n.row.text for n in app.screen.query("#sent NoteItem").results(NoteItem)]
        assert sent[0] == "The tea you made when I got home late made me feel looked after."

        app.screen.query_one("#inbox").focus()
        await pilot.press("l")
        await settle(pilot)
        inbox = [n.row for n in app.screen.query("#inbox NoteItem").results(NoteItem)]
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
    action_week = data.rules.WeekConsistency("2026-W47", done=4, skipped=2, due=7)
    assert data.week_text(action_week, m.DAILY, current=False) == "4 of 7, 2 rest"
    assert data.week_text(action_week, m.DAILY, current=True) == "4 so far, 2 rest"
    rest_week = data.rules.WeekConsistency("2026-W47", done=0, skipped=1, due=1)
    assert data.week_text(rest_week, m.WEEKLY, current=False) == "rest"


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
        for answer in ("You made dinner on Tuesday", "I came home late", "alone", "a text"):
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
    framed = data.frame_attention("When we rush out", "I felt rushed.", "what would help is time")
    assert framed == "When we rush out, I felt rushed; what would help is time."
    assert data.split_attention(framed) == ("we rush out", "rushed", "time")
    assert data.split_attention("free text") == ("free text", "", "")


# -- the app around the screens -------------------------------------------------------------


async def test_every_screen_has_a_key_and_a_palette_command(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        for key, mode in [
            ("c", "care"),
            ("g", "gratitude"),
            ("w", "checkin"),
            ("a", "agreements"),
            ("question_mark", "help"),
            ("t", "tonight"),
        ]:
            shown = {key for key, b in app.active_bindings.items() if b.binding.show}
            assert key in shown or mode == app.current_mode
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
            assert_footer_fits(app)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Tonight", "Care", "Gratitude", "Check-in", "Agreements", "Help"} <= titles
        assert "Sync now" in titles


async def test_a_sync_pass_brings_the_partners_note_and_says_so(space: Couple) -> None:
    messages: list[Message] = []
    app = space.app("alex")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await opened(pilot)
        assert not app.screen.query(NoteItem)
        sam = space.session("sam")
        sam.add_gratitude("You remembered my appointment. I felt cared for.")
        app.sync_now()
        await settle(pilot)
        assert "Arrived: Sam sent you a note." in notices(messages)
        [note] = [n.row for n in app.screen.query(NoteItem)]
        assert note.text == "You remembered my appointment. I felt cared for." and note.new


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
        attention=data.frame_attention("we plan the weekend", "unheard", "asking me first"),
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


def test_stylesheets_ship_with_the_package_and_use_theme_variables_only() -> None:
    screens = [
        CompanionApp,
        SetupScreen,
        UnlockScreen,
        TonightScreen,
        CareScreen,
        GratitudeScreen,
        CheckinScreen,
        AgreementsScreen,
        HelpScreen,
        ConfirmDialog,
    ]
    for owner in screens:
        path = Path(str(owner.CSS_PATH))
        assert path.parent == styles_dir() and path.exists(), owner
    for sheet in styles_dir().glob("*.tcss"):
        text = sheet.read_text()
        assert not re.search(r"#[0-9a-fA-F]{3,8}\b|\brgb\(|\bhsl\(", text), sheet.name


def test_screen_data_loads_without_textual() -> None:
    """`companion watch` reuses describe_arrivals: tui/data.py must not pull Textual in."""
    code = "import sys, companion.tui.data; print('textual' in sys.modules)"
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
        [note] = list(app.screen.query(NoteItem))
        assert "Thanks for [link=x]this[/link] [/]" in text_of(note.query_one(".text"))
        assert text_of(app.screen.query_one("#notes-title")) == "New from Sam [/]"
        for key in ("c", "g", "w", "a", "t"):
            await pilot.press(key)
            await settle(pilot)
        assert app.is_running
