"""Every screen's stylesheet taken into the app's at once, in a quiet moment after Tonight shows.

Textual parses every stylesheet again whenever a screen with a stylesheet of its own is first
shown (0.1 s or more at ten screens' worth, on the event loop, right after the person's key).
Taken in together, soon after the first paint, they are parsed once, while Tonight is being
read, and no screen's first visit parses any. Not before the first paint: start-up parses
only what Tonight shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App

from companion.tui.navigation import DESTINATIONS
from companion.tui.resources import style_path

# The stylesheets of the screens and dialogs that may follow Tonight.
AHEAD = (*(f"{d.mode}.tcss" for d in DESTINATIONS if d.mode != "tonight"), "dialogs.tcss")


def read_sheets() -> list[tuple[str, str]]:
    """Each stylesheet's path and text (in a worker: it reads files)."""
    sheets = []
    for name in AHEAD:
        path = Path(style_path(name))
        if path.is_file():
            sheets.append((str(path), path.read_text(encoding="utf-8")))
    return sheets


def take_in(app: App[Any], sheets: list[tuple[str, str]]) -> None:
    """Add the stylesheets the app hasn't got yet, and parse once (on the event loop)."""
    stylesheet = app.stylesheet
    added = False
    for path, css in sheets:
        if not stylesheet.has_source(path, ""):
            # as Stylesheet.read keeps a file, so that a screen's own CSS_PATH finds it there
            stylesheet.add_source(css, read_from=(path, ""))
            added = True
    if added:
        stylesheet.reparse()
        stylesheet.update(app)
