"""`companion service`: set up, check or remove the login service running `watch --notify`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from companion.cli.base import _home, cli, say
from companion.errors import UsageError

if TYPE_CHECKING:
    from companion.notify.unit import Platform


def _platform() -> Platform:
    from companion.notify import unit

    where = unit.platform()
    if where is None:
        raise UsageError(
            "companion can set up a login service on Linux (systemd) and macOS (launchd) only.",
            "Start `companion watch --notify` with your system's own way of running things "
            "at login.",
        )
    return where


@cli.group()
def service() -> None:
    """A login service that keeps `companion watch --notify` running in the background."""


@service.command()
def install() -> None:
    """Write the login service, and start it now and at every login."""
    from companion.notify import unit
    from companion.store import keychain
    from companion.store import profile as profiles

    where = _platform()
    home = _home()
    if not (home / "profile.json").exists():
        raise UsageError(
            f"There is no companion profile at {home} yet.",
            "Run `companion init` or `companion join` first.",
        )
    if keychain.where(profiles.load(home)) is None:
        raise UsageError(
            "A background service has no one to type the passphrase, so this device needs to "
            "remember it first.",
            "Run `companion remember`, then `companion service install` again.",
        )
    unit.write(where, unit.watch_command(), str(home))
    say(f"Wrote {where.path}.")
    started = unit.ask(where, "start")
    if started.ok:
        say(
            "It runs now and at every login: your partner's notes come as quiet "
            "notifications (`companion notify` sets them; `companion remind --at 21:00` "
            "adds an evening reminder)."
        )
        return
    say(
        f"It isn't running yet: {started.said or 'the system gave no reason'}. " + _by_hand(where),
        err=True,
    )
    raise SystemExit(1)


@service.command()
def remove() -> None:
    """Stop the login service and remove it."""
    from companion.notify import unit

    where = _platform()
    if not where.path.exists():
        say("There is no companion login service on this system; nothing to remove.")
        return
    stopped = unit.ask(where, "stop")
    where.path.unlink()
    if stopped.ok:
        say(f"Stopped and removed {where.path}.")
        return
    say(f"Removed {where.path}; stopping it said: {stopped.said}", err=True)


@service.command()
def status() -> None:
    """Whether the login service is set up, and whether it runs."""
    from companion.notify import unit

    where = _platform()
    if not where.path.exists():
        say("No login service is set up; `companion service install` sets one up.")
        return
    running = unit.ask(where, "status")
    if running.ok:
        say(f"Set up in {where.path}, and running.")
        return
    say(f"Set up in {where.path}, but not running: {running.said}.")
    say(_by_hand(where))
    raise SystemExit(1)


def _by_hand(where: Platform) -> str:
    if where.kind == "systemd":
        return (
            "Once there is one, `systemctl --user enable --now companion.service` starts it; "
            "until then, `companion watch --notify` in a terminal does the same."
        )
    return (
        f"`launchctl bootstrap gui/$(id -u) {where.path}` starts it; until then, "
        "`companion watch --notify` in a terminal does the same."
    )
