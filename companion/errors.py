"""The one exception hierarchy that the CLI and the TUI both render for people."""

from __future__ import annotations

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_UNLOCK = 2
EXIT_DATA = 3
EXIT_WAIT = 4


class CompanionError(Exception):
    """An error with a message for a person, what to do next, and an exit code."""

    exit_code = EXIT_USAGE
    title = "Something needs a moment"

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class UsageError(CompanionError):
    """The request itself can't be carried out as asked (bad input, wrong state)."""

    exit_code = EXIT_USAGE
    title = "Not quite"


class UnlockError(CompanionError):
    """The passphrase does not open this space."""

    exit_code = EXIT_UNLOCK
    title = "That didn't open it"


class DataError(CompanionError):
    """A file the app needs is damaged, tampered with, or missing."""

    exit_code = EXIT_DATA
    title = "A file needs looking after"


class StorageFullError(DataError):
    """The disk refused a write; the previous state is intact."""

    title = "The disk is full"


class WaitError(CompanionError):
    """Not yet: something must reach the shared folder first; trying later will work."""

    exit_code = EXIT_WAIT
    title = "Not yet"
