"""Errors told to the person in the app: what happened and what to do, never a traceback."""

from __future__ import annotations

import traceback
from typing import Any

from textual.app import App

from companion.errors import CompanionError


def show_error(app: App[Any], error: BaseException) -> None:
    """A CompanionError as its message and hint; anything else as an unexpected problem, its
    traceback in the app's log."""
    if isinstance(error, CompanionError):
        text = error.message if not error.hint else f"{error.message}\n{error.hint}"
        app.notify(text, severity="error", title=error.title, timeout=8, markup=False)
        return
    app.log.error("".join(traceback.format_exception(error)))
    app.notify(
        f"Something went wrong: {error}",
        severity="error",
        title="Something went wrong on our side",
        timeout=8,
        markup=False,
    )
