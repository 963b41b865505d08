"""The `companion` command. Each subcommand is a thin call into the layers below.

base.py holds the group and what the commands share; the commands live in space.py (set-up
and keys), practice.py (the evening's changes), reading.py, syncing.py, notifying.py
(notifications and the reminder) and background.py (the login service).
"""

from __future__ import annotations

import io
import os
import sys

import click

from companion.cli import (  # noqa: F401 (they add the commands)
    background,
    devices,
    helptext,
    manpage,
    moments,
    notifying,
    practice,
    reading,
    serving,
    space,
    syncing,
    talking,
)
from companion.cli.base import _home, cli, say
from companion.errors import EXIT_USAGE, CompanionError
from companion.store.home import PASSPHRASE_ENV

__all__ = ["cli", "main"]

helptext.install(cli)


EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells expect of a command stopped by Ctrl-C


def _interrupted(exc: BaseException) -> bool:
    """Whether click's Abort stands for a Ctrl-C (rather than the end of input)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning every error a person can act on into a message and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    passphrase = os.environ.get(PASSPHRASE_ENV)
    completing = bool(os.environ.get("_COMPANION_COMPLETE"))
    # `serve` never opens the space itself: each browser tab unlocks for itself
    if (
        passphrase
        and not completing
        and not (set(args) & {"init", "join", "demo", "serve", "-h", "--help", "--version"})
    ):
        from companion.store import early

        early.begin(_home(), passphrase)
    try:
        code = cli.main(args=argv, prog_name="companion", standalone_mode=False)
    except CompanionError as exc:
        say(f"companion: {exc.render()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        say(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        # click quotes the argument it refused, as typed: shown inert like everything else
        shown = io.StringIO()
        exc.show(file=shown)
        say(shown.getvalue(), err=True, nl=False)
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort as exc:
        if _interrupted(exc):
            # click has already ended the ^C line: nothing more to say, the usual code
            sys.exit(EXIT_INTERRUPTED)
        click.echo("\nStopped.", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        click.echo("", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)
