"""The full-screen app (being built: see the TUI issue)."""

from __future__ import annotations

from companion.errors import UsageError


def run_app() -> None:
    raise UsageError(
        "The full-screen app is not part of this version yet.",
        "Everything works from the shell meanwhile: see `companion --help`.",
    )
