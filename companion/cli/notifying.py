"""This device's notifications while the app is closed: on or off, quiet hours, the evening
reminder, and the background service that posts them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from companion.cli.base import cli, open_session, say
from companion.errors import UsageError

if TYPE_CHECKING:
    from companion.service.notifying import NotifySettings


def settings_lines(settings: NotifySettings) -> list[str]:
    """This device's notification settings, as a person reads them."""
    if settings.enabled is False:
        state = "off on this device"
    elif settings.enabled:
        state = "on while `companion watch` runs"
    else:
        state = "on while `companion watch --notify` runs"
    quiet = "–".join(settings.quiet) if settings.quiet else "none"
    return [
        f"Desktop notifications: {state}.",
        "A note's words: "
        + ("shown." if settings.show_text else "not shown (only who sent what)."),
        f"Quiet hours: {quiet}.",
        "Evening reminder: " + (f"at {settings.remind_at}." if settings.remind_at else "off."),
    ]


@cli.command()
@click.option("--on/--off", "enabled", default=None, help="Notifications on this device.")
@click.option(
    "--show-text/--hide-text",
    "show_text",
    default=None,
    help="Put a note's words in its notification (off by default: they can show on a locked "
    "screen).",
)
@click.option("--quiet", metavar="HH:MM-HH:MM", help="Hold notifications in these hours.")
@click.option("--no-quiet", is_flag=True, help="No quiet hours.")
def notify(enabled: bool | None, show_text: bool | None, quiet: str | None, no_quiet: bool) -> None:
    """Desktop notifications on this device: on or off, a note's words, quiet hours.

    Without options, says how they are set. They come from `companion watch --notify`
    (`companion service install` runs it at login)."""
    if quiet and no_quiet:
        raise UsageError("Give --quiet or --no-quiet, not both.")
    session = open_session()
    try:
        settings = session.set_notify(
            enabled=enabled,
            show_text=show_text,
            quiet=None if no_quiet else (quiet if quiet else False),
        )
    finally:
        session.close()
    for line in settings_lines(settings):
        say(line)


@cli.command()
@click.option("--at", "at", metavar="HH:MM", help="Remind me at this time, in local time.")
@click.option("--off", is_flag=True, help="No evening reminder on this device.")
def remind(at: str | None, off: bool) -> None:
    """One gentle evening reminder on this device, off by default.

    At most one an evening, and none once you have opened the app that evening. It comes
    from `companion watch --notify` (`companion service install` runs it at login)."""
    if (at is None) == (not off):
        raise UsageError("Give --at HH:MM, or --off.", "For example: companion remind --at 21:00")
    session = open_session()
    try:
        settings = session.set_notify(remind_at=None if off else at)
        name = session.name_of(session.partner)
    finally:
        session.close()
    if settings.remind_at is None:
        say("No evening reminder on this device.")
        return
    say(
        f"At {settings.remind_at} on evenings you haven't opened companion yet, a quiet line: "
        f"your evening with {name} is here when you are."
    )
    if settings.enabled is False:
        say("Notifications are off on this device: `companion notify --on` turns them on.")
    say("It comes from `companion watch --notify`; `companion service install` runs it at login.")
