"""What every command's `--help` ends with: an example, and the environment it reads.

Kept in one table so the help, the man page (manpage.py) and the README can't drift apart
command by command; tests/test_conventions.py checks each command has its entry.
"""

from __future__ import annotations

import click

# One example per command, by its full name; the same couple as the README, Alex and Sam.
EXAMPLES: dict[str, str] = {
    "": "companion",
    "init": "companion init ~/Sync/us --name Alex --timezone America/Los_Angeles",
    "join": "companion join ~/Sync/us --name Sam",
    "devices": "companion devices",
    "devices approve": "companion devices approve 48213-90577-1234-5678",
    "add": 'companion add need "A check-in text on stressful days"',
    "add need": 'companion add need "A check-in text on stressful days"',
    "add care": 'companion add care "Text Sam at lunch" --cadence weekdays',
    "add gratitude": 'companion add gratitude "Thank you for cooking on Tuesday."',
    "add agreement": 'companion add agreement "No advice unless asked first"',
    "tick": 'companion tick "text sam" --skip',
    "checkin": 'companion checkin --supported "Sam made tea" --attention "Late plans" --energy 3',
    "sync": "companion sync",
    "list": "companion list care --json",
    "review": 'companion review "text sam" landed',
    "accept": 'companion accept "advice"',
    "talk-first": 'companion talk-first "advice"',
    "landed": 'companion landed "cooking"',
    "retire": 'companion retire care "text sam"',
    "unseal": "companion unseal",
    "focus": 'companion focus "One slow evening together, phones away"',
    "reflect": 'companion reflect "Slower than I feared; I felt heard" --share',
    "watch": "companion watch --poll",
    "verify": "companion verify --json",
    "remember": "companion remember",
    "demo": "companion demo --keep",
    "status": "companion status",
    "export": "companion export --format markdown --output us.md",
    "passwd": "companion passwd",
    "completion": 'eval "$(companion completion bash)"',
    "serve": "companion serve --open",
    "support": 'companion support "A long day; the report is due"',
    "pause": 'companion pause --minutes 30 --note "A walk round the block"',
    "repair": 'companion repair --again "Listen to the end" --share',
    "unsend": "companion unsend",
    "tonight": "companion tonight --json",
    "notify": "companion notify --quiet 22:00-07:00",
    "remind": "companion remind --at 21:00",
    "service": "companion service install",
    "service install": "companion service install",
    "service remove": "companion service remove",
    "service status": "companion service status",
}

# Every variable companion reads, and what for.
ENVIRONMENT: dict[str, str] = {
    "COMPANION_HOME": "this device's profile folder (default: the platform's user data folder)",
    "COMPANION_PASSPHRASE": "unlocks without a prompt (scripts, the watch service)",
    "COMPANION_NEW_PASSPHRASE": "the new passphrase for `companion passwd`, without a prompt",
    "COMPANION_NOW": "pins the clock to an ISO time, for tests and demos",
}

# The commands that read nothing of the space, so no profile or passphrase.
_NO_SPACE = {"completion", "demo"}


def environment_for(name: str) -> list[str]:
    """The variables a command (by full name) reads; the bare group reads them all."""
    if name == "":
        return list(ENVIRONMENT)
    if name == "passwd":
        return ["COMPANION_HOME", "COMPANION_PASSPHRASE", "COMPANION_NEW_PASSPHRASE"]
    if name in _NO_SPACE:
        return []
    if name == "serve":
        # each tab unlocks for itself: a passphrase in the environment is never passed on
        return ["COMPANION_HOME"]
    return ["COMPANION_HOME", "COMPANION_PASSPHRASE"]


def epilog_for(name: str) -> str:
    """The end of `companion NAME --help`: its example and its environment."""
    parts = []
    if name in EXAMPLES:
        parts.append(f"\b\nExample:\n  {EXAMPLES[name]}")
    names = environment_for(name)
    if names:
        width = max(len(n) for n in names)
        rows = "\n".join(f"  {n.ljust(width)}  {ENVIRONMENT[n]}" for n in names)
        parts.append(f"\b\nEnvironment:\n{rows}")
    return "\n\n".join(parts)


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every visible command under `group`, by full name, depth first."""
    found: list[tuple[str, click.Command]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        if command.hidden:
            continue
        full = f"{prefix} {name}".strip()
        found.append((full, command))
        if isinstance(command, click.Group):
            found.extend(commands(command, full))
    return found


def install(group: click.Group) -> None:
    """Give the group and each command under it its example and environment."""
    group.epilog = epilog_for("")
    for name, command in commands(group):
        command.epilog = epilog_for(name)
