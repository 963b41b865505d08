"""What `companion verify` found: the kinds of findings, one finding, and the report that
collects them and renders itself as text or JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from companion.sync import engine

# Kinds of findings. The journal ones share their names with the sync engine's problems.
SPACE_FILE_DAMAGED = "space-file"
SPACE_COPY = "space-copy"
FOLDER_MISSING = "folder-unreachable"
DAMAGED = engine.DAMAGED
MISPLACED = "misplaced"
INCOMPLETE = "incomplete"
FORKED = engine.FORKED
ROLLED_BACK = engine.ROLLED_BACK
SHARED_ID = engine.SHARED_ID
FOREIGN_OPS = engine.FOREIGN_OPS
STUCK = engine.STUCK
INVALID = engine.INVALID
NOT_ALLOWED = engine.NOT_ALLOWED
FORGED = engine.FORGED
SIGNER = engine.SIGNER
UNCONFIRMED = engine.UNCONFIRMED
UNKNOWN_ENTRY = engine.UNKNOWN_ENTRY
NOT_A_FOLDER = engine.NOT_A_FOLDER
FUTURE = engine.FUTURE
GAP = "gap"
UNKNOWN_FILE = "unknown-file"
CONFLICT_COPY = "conflict-copy"
TEMP_FILE = "temp-file"
REPLICA_DAMAGED = "replica"
OUTBOX_DAMAGED = "outbox"
MODE = "permissions"
UNLOCK_REFUSED = "unlock-refused"

# The way out when two devices write under one id; several journal checks give it.
FRESH_PROFILE = (
    "Give one of those devices a fresh profile: on it, move the profile folder aside and run "
    "`companion join FOLDER --name NAME`."
)


@dataclass
class Finding:
    """One problem or note: its kind, the file, what is wrong and what to do about it."""

    kind: str
    path: str
    message: str
    hint: str
    device: str | None = None
    seq: int | None = None


@dataclass
class Report:
    """What `verify` found: the files it opened, the problems, and notes that need no action."""

    checked: Counter = field(default_factory=Counter)
    problems: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def files(self) -> int:
        return sum(self.checked.values())

    def problem(self, kind: str, path: Path | str, message: str, hint: str, **where) -> None:
        self.problems.append(Finding(kind, str(path), message, hint, **where))

    def note(self, kind: str, path: Path | str, message: str, hint: str = "", **where) -> None:
        self.notes.append(Finding(kind, str(path), message, hint, **where))

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": self.files,
            "checked": dict(self.checked),
            "problems": [asdict(p) for p in self.problems],
            "notes": [asdict(n) for n in self.notes],
        }

    def summary(self) -> str:
        labels = [
            ("space", "space file", "space files"),
            ("profile", "profile file", "profile files"),
            ("segment", "segment", "segments"),
            ("snapshot", "snapshot", "snapshots"),
            ("conflict", "conflict copy", "conflict copies"),
            ("replica", "local database file", "local database files"),
            ("outbox", "waiting change", "waiting changes"),
        ]
        parts = [
            f"{self.checked[key]} {one if self.checked[key] == 1 else many}"
            for key, one, many in labels
            if self.checked[key]
        ]
        return f"{self.files} files ({', '.join(parts)})" if parts else "0 files"

    def text(self) -> str:
        lines = []
        if self.ok:
            lines.append(f"Everything checks out: {self.summary()} open and fit together.")
        else:
            count = len(self.problems)
            lines.append(f"Checked {self.summary()}.")
            lines.append(f"{count} problem{'' if count == 1 else 's'}:")
            for finding in self.problems:
                lines.append(f"  ✗ {finding.path}")
                lines.append(f"    {finding.message}")
                if finding.hint:
                    lines.append(f"    What to do: {finding.hint}")
        if self.notes:
            lines.append("Notes:")
            for finding in self.notes:
                lines.append(f"  · {finding.path}: {finding.message}")
                if finding.hint:
                    lines.append(f"    {finding.hint}")
        return "\n".join(lines)
