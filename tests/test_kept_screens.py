"""Screens are kept once built: coming back to one reads nothing when nothing changed, and
shows what changed meanwhile (a partner's arrival, the app's own change on another screen).
"""

from __future__ import annotations

import pytest

from companion.domain import model as m
from companion.tui.app import CompanionApp
from companion.tui.screens.agreements import AgreementsScreen
from companion.tui.screens.gratitude import GratitudeScreen
from companion.tui.screens.tonight import TonightScreen
from companion.tui.widgets.note_list import NoteList
from tests import test_tui as tui
from tests.test_tui import PASSPHRASE, SIZE, Couple, opened, settle

# the TUI tests' fixtures: a light KDF, a pinned clock, Alex and Sam's space
anyio_backend = tui.anyio_backend
light_kdf = tui.light_kdf
pinned_clock = tui.pinned_clock
space = tui.space
evening = tui.evening

pytestmark = pytest.mark.anyio


def counted(monkeypatch: pytest.MonkeyPatch, screen_class: type, loads: list[str]) -> None:
    """Note each read of `screen_class`'s data in `loads`."""
    read = screen_class.read

    def counting(self: object, session: object) -> object:
        loads.append(screen_class.__name__)
        return read(self, session)

    monkeypatch.setattr(screen_class, "read", counting)


def inbox(app: CompanionApp) -> list[str]:
    return [row.text for row in app.screen.query_one("#inbox", NoteList).rows]


async def test_coming_back_to_a_screen_reads_nothing_unless_something_changed(
    space: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []  # each screen's reads (in its worker), by the screen's class
    for screen_class in (TonightScreen, GratitudeScreen, AgreementsScreen):
        counted(monkeypatch, screen_class, loads)

    # screens built only as visited here (building ahead is the next test's)
    app = CompanionApp(
        home=space.alex, passphrase=PASSPHRASE, sync_interval=60, watch=False, prepare=False
    )
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("g")
        await settle(pilot)
        gratitude = app.screen
        assert inbox(app) == []
        # Tonight's first showing writes what was seen (and the first pass shares it): the
        # copy changed, so Tonight is read once more on the way back.
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        read_before = list(loads)

        # There and back with nothing changed: the same screens, and not one read.
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert app.screen is gratitude
        assert loads == read_before
        # Nor when a dialog closes over it (each close used to read the screen again, and
        # a read cancelled by the next could fail whoever waited for the app's workers).
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen is not gratitude
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen is gratitude
        assert loads == read_before

        # Sam's note arrives while Alex is on Tonight: Gratitude shows it on the way back.
        sam = space.session("sam")
        sam.add_gratitude("Thank you for the soup when I was ill; I felt looked after.")
        sam.sync()
        sam.close()
        await pilot.press("t")
        await settle(pilot)
        app.sync_now()
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert app.screen is gratitude
        assert inbox(app) == ["Thank you for the soup when I was ill; I felt looked after."]

        # A change made on another screen shows too: a proposal from Agreements, and
        # Tonight, kept as well, is read again on the way back (the copy changed).
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("n")
        await pilot.press(*"Phones away at dinner")
        await pilot.press("enter")
        await settle(pilot)
        before = loads.count("TonightScreen")
        await pilot.press("t")
        await settle(pilot)
        assert loads.count("TonightScreen") == before + 1


def unread_to_alex(app: CompanionApp) -> int:
    """Notes to Alex not marked read in the app's own copy."""
    assert app.backend is not None
    with app.backend.session() as session:
        return sum(1 for n in session.notes() if n.get("to") == session.me and not n.get("read"))


def agreement_texts(screen: object) -> list[str]:
    from companion.tui.widgets.agreement_list import AgreementItem, AgreementList

    rows = screen.query_one(AgreementList).query(AgreementItem)  # type: ignore[attr-defined]
    return [item.row.text for item in rows.results(AgreementItem)]


async def test_screens_are_built_ahead_and_still_show_what_changed_before_their_first_visit(
    space: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []
    for screen_class in (TonightScreen, GratitudeScreen, AgreementsScreen):
        counted(monkeypatch, screen_class, loads)
    sam = space.session("sam")
    sam.add_gratitude("Thanks for walking the dog in the rain; I felt looked after.")
    sam.sync()
    alex = space.session("alex")
    alex.sync()  # in Alex's copy before the app opens, so read ahead with the rest
    alex.close()
    # Tonight shows the note too, and marks it read as it shows: set aside here, so that what
    # Gratitude marks is all there is.
    monkeypatch.setattr(TonightScreen, "mark_shown", lambda *args, **kwargs: None)

    app = CompanionApp(home=space.alex, passphrase=PASSPHRASE, sync_interval=None, prepare=True)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        for _ in range(100):
            if app.preparer is not None and app.preparer.done:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert app.preparer is not None and app.preparer.done
        # Every screen is there, off screen, its data read; Sam's note, read ahead but not
        # yet on screen, is not marked read.
        agreements = app.get_screen_stack("agreements")[0]
        gratitude = app.get_screen_stack("gratitude")[0]
        assert loads.count("AgreementsScreen") == 1 and loads.count("GratitudeScreen") == 1
        assert agreement_texts(agreements) == []
        assert isinstance(app.screen, TonightScreen)
        assert unread_to_alex(app) == 1

        # Sam proposes after Agreements was built: its first visit shows the proposal.
        sam.propose_agreement("No phones at dinner")
        sam.sync()
        sam.close()
        with app.backend.session() as session:  # type: ignore[union-attr]
            session.sync()  # as a pass of the app's own would
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is agreements
        assert agreement_texts(agreements) == ["No phones at dinner"]

        await pilot.press("g")
        await settle(pilot)
        assert app.screen is gratitude
        assert inbox(app) == ["Thanks for walking the dog in the rain; I felt looked after."]
        # On screen now: read; and of the screens, only Tonight shows which notes are new,
        # so only Tonight reads again for it.
        assert unread_to_alex(app) == 0
        reads = list(loads)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert loads == [*reads, "TonightScreen"]


async def test_a_tick_shows_with_the_data_read_in_its_own_turn(
    evening: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change's worker reads the screen (and Tonight's moments) too: no second read."""
    reloads: list[str] = []
    for name in ("reload", "reload_moments"):
        original = getattr(TonightScreen, name)

        def counting(self: TonightScreen, _name: str = name, _original: object = original) -> None:
            reloads.append(_name)
            _original(self)  # type: ignore[operator]

        monkeypatch.setattr(TonightScreen, name, counting)
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await settle(pilot)
        before = list(reloads)
        await pilot.press("d")
        await settle(pilot)
        assert [r.status for r in tui.due_rows(app)] == [m.DONE, None]
        assert reloads == before


async def test_an_older_read_never_covers_a_newer_one(evening: Couple) -> None:
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TonightScreen)
        assert app.backend is not None
        with app.backend.session() as session:
            older = screen._read_in_turn(session)
        await pilot.press("u")
        await settle(pilot)
        assert [r.status for r in tui.due_rows(app)] == [None, None]
        screen.post_message(older)  # arrives late, read before the undo
        await settle(pilot)
        assert [r.status for r in tui.due_rows(app)] == [None, None]


async def test_marking_a_note_landed_draws_its_list_again_without_a_new_layout(
    evening: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts: list[bool] = []
    refresh = NoteList.refresh

    def noting(self: NoteList, *args: object, layout: bool = False, **kwargs: object) -> object:
        layouts.append(layout)
        return refresh(self, *args, layout=layout, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(NoteList, "refresh", noting)
    app = evening.app("alex")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("g")
        await settle(pilot)
        inbox_list = app.screen.query_one("#inbox", NoteList)
        assert inbox_list.rows and not inbox_list.rows[0].landed
        layouts.clear()
        await pilot.press("l")
        await settle(pilot)
        assert inbox_list.rows[0].landed
        assert layouts and not any(layouts)
