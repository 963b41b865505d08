"""What screens and the app's parts ask of the app, so that none of them imports it.

Screens and the app's parts import it under TYPE_CHECKING only: it costs nothing at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from textual.app import App

    from companion.tui.backend import Backend
    from companion.tui.read.sync_state import SyncState


class CompanionAppLike(Protocol):
    """The app's own members beyond Textual's App (CompanionApp in tui/app.py has them)."""

    home: Path
    # None until the space is open (or while it is opening, without the start-up helper).
    backend: Backend | None
    # Unsent text typed in a screen's fields, by (mode, field id).
    drafts: dict[tuple[str, str], str]
    sync_state: SyncState | None

    def show_error(self, error: BaseException) -> None: ...

    def sync_now(self) -> None: ...

    def tonight_painted(self) -> None: ...


if TYPE_CHECKING:
    # Only for the type checker (at run time, App's and Protocol's metaclasses don't mix).

    class CompanionAppType(App[None], CompanionAppLike):
        """`self.app` as screens see it: Textual's App with CompanionAppLike's members.

        Python has no intersection types: a screen types its `app` with this class
        (`app = getters.app(CompanionAppType)` under TYPE_CHECKING), and the app hands itself
        to its parts as one, once mypy has checked that it is CompanionAppLike.
        """
