"""`companion serve` in headless Chromium: a partner unlocks, visits every screen with mouse
and keys, ticks care; closing the tab ends its app; two tabs share the profile; nothing is
fetched from anywhere but this computer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, Tab, need_chromium
from tests.conftest import PASSPHRASE
from tests.serving import Served, serve

pytestmark = pytest.mark.slow

# Each screen: the word in the navigation row that leads to it, its key, and the start of
# its title (only that screen shows it).
SCREENS = [
    ("Care", "c", " Care — "),
    ("Gratitude", "g", " Gratitude — "),
    ("Check-in", "w", " Check-in — "),
    ("Agreements", "a", " Agreements — "),
    ("Progress", "p", " Progress — "),
    ("History", "h", " History — "),
    ("Settings", ",", " Settings — "),
    ("Help", "?", " Help & safety — "),
]
TONIGHT = " Tonight — "


@pytest.fixture
def browser() -> Iterator[Any]:
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def alex(couple) -> Any:
    alex, _ = couple
    alex.ok("add", "care", "Make tea")
    alex.ok("add", "care", "Text Sam at lunch")
    return alex


@pytest.fixture
def served(alex) -> Iterator[Served]:
    with serve(alex) as running:
        yield running


def unlock(tab: Tab) -> None:
    tab.see("Welcome back. Your evening space is locked.")
    tab.page.keyboard.type(PASSPHRASE)  # no click first: the keys go to the app at once
    tab.page.keyboard.press("Enter")
    tab.see("Tonight's care")


def ticks(alex: Any) -> list[tuple[str, str]]:
    listed = alex.ok("list", "ticks", "--json").json()
    return sorted((tick["action_title"], tick["status"]) for tick in listed)


def test_a_partner_unlocks_ticks_and_visits_every_screen(browser, served, alex) -> None:
    tab = Tab(browser, served.url)
    unlock(tab)
    assert len(served.app_processes()) == 1
    # a click on "Done" in a row, as in a terminal
    tab.click("Done", row_with="Text Sam at lunch")
    tab.page.wait_for_timeout(500)
    # every screen by a click on its name in the navigation row, and back by its key
    for label, key, shows in SCREENS:
        tab.click(label, row_with="t Tonight")
        tab.see(shows)
        tab.page.keyboard.press("t")
        tab.see(TONIGHT)
        tab.page.keyboard.press(key)
        tab.see(shows)
        tab.page.keyboard.press("t")
        tab.see(TONIGHT)
    # keys for a tick too: up to the first row (its keys show below), d marks it done
    tab.see("Skip (low energy)  u Undo")
    tab.press_until("Home", "d Done")
    tab.page.keyboard.press("d")
    tab.see_in_row("Make tea", "every day · for Sam · done")
    assert tab.off_this_computer(served.port) == []
    assert any(url.startswith(f"ws://127.0.0.1:{served.port}/") for url in tab.socket_urls)
    tab.page.close()
    served.wait_for(lambda: served.app_processes() == [], "the closed tab's app to end", 30)
    assert ticks(alex) == [("Make tea", "done"), ("Text Sam at lunch", "done")]


def test_two_tabs_are_two_sessions_on_one_profile(browser, served, alex) -> None:
    first, second = Tab(browser, served.url), Tab(browser, served.url)
    unlock(first)
    unlock(second)
    served.wait_for(lambda: len(served.app_processes()) == 2, "an app for each tab")
    first.click("Done", row_with="Make tea")
    second.click("Skip", row_with="Text Sam at lunch")
    first.page.wait_for_timeout(1000)
    second.page.close()
    served.wait_for(lambda: len(served.app_processes()) == 1, "the second tab's app to end", 30)
    first.page.keyboard.press("g")  # the first tab goes on working
    first.see(" Gratitude — ")
    first.page.close()
    served.wait_for(lambda: served.app_processes() == [], "the first tab's app to end", 30)
    assert ticks(alex) == [("Make tea", "done"), ("Text Sam at lunch", "skipped")]
    assert first.off_this_computer(served.port) == []
    assert second.off_this_computer(served.port) == []


def test_the_passphrase_given_to_serve_opens_no_tab(browser, alex) -> None:
    """Started with COMPANION_PASSPHRASE set (a script, say), each tab still asks."""
    with serve(alex, COMPANION_PASSPHRASE=PASSPHRASE) as running:
        tab = Tab(browser, running.url)
        tab.see("Welcome back. Your evening space is locked.")
        tab.page.wait_for_timeout(1500)
        assert tab.find("Tonight's care") is None


def test_a_device_that_remembers_the_key_opens_at_tonight(browser, alex) -> None:
    """Where the device remembers the key, the link alone opens the space."""
    alex.ok("remember", "--key-file")
    with serve(alex) as running:
        tab = Tab(browser, running.url)
        tab.see("Tonight's care")
        assert tab.find("Welcome back") is None


def test_stopping_the_server_ends_every_tab(browser, alex) -> None:
    with serve(alex) as running:
        tab = Tab(browser, running.url)
        unlock(tab)
        running.stop()
        assert running.process.returncode == 0
        assert running.app_processes() == []
        tab.page.wait_for_selector("body.-closed", timeout=30_000)
        assert tab.page.locator("#closed").is_visible()


def test_ctrl_keys_the_app_uses_reach_it_and_have_a_click_too(browser, served, alex) -> None:
    """ctrl+s and ctrl+p are not the browser's (save, print) in the app's tab; and the
    Send button does what ctrl+s does, for a browser that keeps ctrl+s for itself."""
    tab = Tab(browser, served.url)
    unlock(tab)
    tab.page.keyboard.press("Control+p")
    tab.see("Search for commands")
    # Escape alone (a key right after it would make it Alt+key, as in a terminal)
    tab.page.keyboard.press("Escape")
    tab.gone("Search for commands")
    tab.page.keyboard.press("g")
    tab.see(" Gratitude — ")
    tab.press_until("n", "Leave field")  # the note field has the keys (Send is always shown)
    tab.page.keyboard.type("Thank you for the tea on Tuesday")
    tab.page.keyboard.press("Control+s")
    served.wait_for(
        lambda: "the tea on Tuesday" in alex.ok("list", "gratitude", "--json", "--offline").out,
        "the note sent with ctrl+s",
    )
    tab.gone("Leave field")  # once saved, the keys are the screen's again
    tab.press_until("n", "Leave field")
    tab.page.keyboard.type("Thank you for the walk")
    tab.click("Send", row_with="Send")
    served.wait_for(
        lambda: "for the walk" in alex.ok("list", "gratitude", "--json", "--offline").out,
        "the note sent with a click on Send",
    )
    tab.page.close()


def test_the_keys_tell_to_close_the_tab_to_leave(browser, served, alex) -> None:
    """In the browser ctrl+q may close the browser itself: the keys (F1) say to close the tab."""
    tab = Tab(browser, served.url)
    unlock(tab)
    tab.page.keyboard.press("F1")
    tab.see("Close this tab to leave")
    assert tab.find("^q") is None
    tab.page.keyboard.press("Escape")
    tab.gone("Close this tab to leave")
    tab.page.close()
