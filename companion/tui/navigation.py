"""The app's screens: their keys, their names in the footer and palette, and where they live.

Plain data without Textual, so that the app, the navigation bar and the tests share one table,
and so that a screen's module is imported only when the screen is first shown.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, NamedTuple


class Destination(NamedTuple):
    """One screen of the practice, reachable by a single key.

    A NamedTuple: this table loads on the way to the first paint, where defining a dataclass
    costs about a millisecond.
    """

    mode: str
    key: str
    label: str
    help_text: str
    module: str
    class_name: str
    key_display: str | None = None

    @property
    def shown_key(self) -> str:
        return self.key_display or self.key

    def make(self) -> Any:
        """A new instance of the screen, its module imported now (not at app start)."""
        return getattr(import_module(self.module), self.class_name)()


_SCREENS = "companion.tui.screens."

DESTINATIONS = (
    Destination(
        "tonight",
        "t",
        "Tonight",
        "Today's care, what arrived, a quick word of thanks",
        _SCREENS + "tonight",
        "TonightScreen",
    ),
    Destination(
        "care",
        "c",
        "Care",
        "Your care menu, your partner's, and the care you give",
        _SCREENS + "care",
        "CareScreen",
    ),
    Destination(
        "gratitude",
        "g",
        "Gratitude",
        "Write a note of thanks; read what arrived",
        _SCREENS + "gratitude",
        "GratitudeScreen",
    ),
    Destination(
        "checkin",
        "w",
        "Check-in",
        "This week's check-in, and last week's care",
        _SCREENS + "checkin",
        "CheckinScreen",
    ),
    Destination(
        "agreements",
        "a",
        "Agreements",
        "Propose agreements, answer or retire them together",
        _SCREENS + "agreements",
        "AgreementsScreen",
    ),
    Destination(
        "progress",
        "p",
        "Progress",
        "Week by week: how care flowed to each of you",
        _SCREENS + "progress",
        "ProgressScreen",
    ),
    Destination(
        "history",
        "h",
        "History",
        "Everything by week, newest first, searchable",
        _SCREENS + "history",
        "HistoryScreen",
    ),
    Destination(
        "settings",
        "comma",
        "Settings",
        "Your name, check-in day, theme, unlocking, the shared folder, export",
        _SCREENS + "settings",
        "SettingsScreen",
        key_display=",",
    ),
    Destination(
        "help",
        "question_mark",
        "Help",
        "What the app is and is not; where to find help",
        _SCREENS + "help",
        "HelpScreen",
        key_display="?",
    ),
)
BY_MODE = {d.mode: d for d in DESTINATIONS}


def nav_width() -> int:
    """Columns the navigation row needs: a space, then each key, a space, its label, a space."""
    return 1 + sum(len(d.shown_key) + 1 + len(d.label) + 1 for d in DESTINATIONS)
