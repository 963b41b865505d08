"""What every command shares: the group, the passphrase prompt, opening the space, JSON out."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from companion.domain.text import inert, json_escaped
from companion.errors import UsageError
from companion.store.home import PASSPHRASE_ENV

if TYPE_CHECKING:
    from companion.service import Session


def _home() -> Path:
    from companion.store.profile import profile_home

    return profile_home()


def read_passphrase(
    prompt: str = "Passphrase", *, confirm: bool = False, env: str = PASSPHRASE_ENV
) -> str:
    """From the environment variable `env`, else a hidden prompt (or a line of standard input).

    A new passphrase (`confirm`) is checked before it is asked for again, and a too short or
    mistyped one is asked for afresh; Ctrl-C at any prompt stops the command (exit 130).
    """
    given = os.environ.get(env)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        # piped in by a script: one line per prompt (twice when confirming), never echoed
        first = sys.stdin.readline().rstrip("\r\n")
        if not first:
            raise UsageError("No passphrase was given.", f"Type it at the prompt, or set {env}.")
        if confirm:
            _check_new(first)
            second = sys.stdin.readline().rstrip("\r\n")
            if second and second != first:
                raise UsageError("The two passphrases don't match; nothing was changed.")
        return first
    if not confirm:
        return _ask(prompt, env)
    while True:
        first = _ask(prompt, env)
        try:
            _check_new(first)
        except UsageError as exc:
            say(exc.render(), err=True)
            continue
        if _ask("The same again, to be sure", env) == first:
            return first
        say("Those two weren't the same. Let's start again.", err=True)


def _check_new(passphrase: str) -> None:
    from companion.service.header import check_passphrase

    check_passphrase(passphrase)


def _ask(prompt: str, env: str) -> str:
    """One hidden prompt. Ctrl-C becomes KeyboardInterrupt (exit 130), end of input a usage
    error: click turns both into the same Abort, the interrupt kept as its context."""
    try:
        answer: str = click.prompt(prompt, hide_input=True, err=True, show_default=False)
    except click.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        raise UsageError(
            "No passphrase was given.", f"Type it at the prompt, or set {env}."
        ) from None
    return answer


def open_session() -> Session:
    """The space, with the key this device remembers, else the passphrase."""
    from companion.service import NotRemembered, Passphrase, Remembered, open_space

    session = None
    if os.environ.get(PASSPHRASE_ENV) is None:
        with contextlib.suppress(NotRemembered):
            session = open_space(_home(), Remembered())
    if session is None:
        session = open_space(_home(), Passphrase(read_passphrase()))
    news = session.passphrase_news()
    if news:
        say(news, err=True)
    return session


def say(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print for a person. Whatever the text quotes from records or from a command line is
    made inert on the way out, so nothing in it reaches the terminal as a control."""
    click.echo(inert(text, multiline=True), err=err, nl=nl)


def emit_json(data: Any) -> None:
    click.echo(json_escaped(json.dumps(data, indent=2, ensure_ascii=False)))


def with_session(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command with the space open, after bringing in what has arrived in the shared
    folder (so it reads and resolves the partner's latest); `--offline` skips that pass."""

    @wraps(func)
    def wrapper(*args: Any, offline: bool = False, **kwargs: Any) -> Any:
        session = open_session()
        try:
            if not offline:
                # kept for the command (status says what this pass brought in)
                click.get_current_context().meta["companion.synced"] = session.sync()
            waiting = session.waiting()
            result = func(session, *args, **kwargs)
            if session.waiting() > waiting:
                from companion.views import waiting_line

                say(waiting_line(session))
            return result
        finally:
            session.close()

    return click.option(
        "--offline",
        is_flag=True,
        help="Don't bring in what arrived in the shared folder first.",
    )(wrapper)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="companion")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """A private evening companion for two partners rebuilding emotional reciprocity.

    Run without a command to open the full-screen app.
    """
    if ctx.invoked_subcommand is None:
        from companion.tui.app import run_app

        run_app()
