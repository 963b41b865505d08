"""A hostile partner's app writes arbitrary values into every field of every record type; each
screen of the app (headless, driven with Pilot) then opens without an unexpected error, and
the problem line says there is something to look at."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.domain import model as m
from companion.domain import schema
from companion.errors import CompanionError
from companion.service import Session
from companion.tui import notices
from companion.tui.app import CompanionApp
from companion.tui.navigation import DESTINATIONS

from .conftest import PASSPHRASE
from .test_schema import hostile_ops, run_cli, space, write_as  # noqa: F401 (space: a fixture)
from .test_tui import opened, settle


async def visit_every_screen(home: Path) -> list[BaseException]:
    """Open the app as Alex, show each screen in turn; the unexpected errors it met."""
    unexpected: list[BaseException] = []
    shown = notices.show_error

    def record(app: Any, error: BaseException) -> None:
        if not isinstance(error, CompanionError):
            unexpected.append(error)
        shown(app, error)

    notices.show_error = record
    try:
        app = CompanionApp(home=home, passphrase=PASSPHRASE, sync_interval=None)
        async with app.run_test(size=(100, 32)) as pilot:
            await opened(pilot)
            settings_text = ""
            for destination in DESTINATIONS:
                await pilot.press(destination.key)
                await settle(pilot)
                if destination.mode == "settings":
                    settings_text = str(app.screen.query_one("#folder-problems").render())
            state = app.sync_state
    finally:
        notices.show_error = shown
    if state is None or state.kind != "problem" or "kept aside" not in settings_text:
        unexpected.append(AssertionError(f"the problem line shows {state}; {settings_text!r}"))
    return unexpected


@settings(
    max_examples=int(os.environ.get("COMPANION_SCHEMA_TUI_EXAMPLES", "2")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_screen_opens_whatever_the_partner_wrote(space, data, monkeypatch):  # noqa: F811
    monkeypatch.setenv("COMPANION_NOW", "2026-11-26T20:30:00")
    alex_home = space["alex"]
    if "ids" not in space:
        session = Session.unlock(alex_home, PASSPHRASE)
        space["partners"] = [session.me, session.partner]
        space["ids"] = [r.id for r in session.core_records()] + [
            r.id for r in session.dated(m.DATED_TYPES)
        ]
        session.close()
    batch = data.draw(
        st.lists(hostile_ops(space["partners"], space["ids"]), min_size=4, max_size=4)
    )
    wanted = [one for ops in batch for one in ops]
    wanted.append(("create", m.NEED, "0" * 26, {"text": 42}))  # at least one to report
    _, ops = write_as(space["sam"], wanted)
    assert any(schema.check_op(o) is not None for o in ops)
    run_cli(alex_home, ["sync"])
    errors = asyncio.run(visit_every_screen(alex_home))
    assert not errors, errors
