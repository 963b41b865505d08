"""The man page, written from the commands themselves, and the shells' completion scripts.

`companion man > companion.1` builds the page (README: Shell completion and the man page);
`companion completion SHELL` prints the script click's completion machinery makes.
"""

from __future__ import annotations

import datetime as dt

import click

from companion.cli.base import cli, say
from companion.cli.helptext import ENVIRONMENT, EXAMPLES, commands
from companion.shells import SHELLS, completion_script

EXIT_CODES = (
    ("0", "all went well"),
    ("1", "a usage problem: a wrong command, option or reference"),
    ("2", "that passphrase doesn't open this space"),
    ("3", "a data problem: a damaged or missing file, or an unreachable shared folder"),
    ("4", "this device's own changes haven't reached the shared folder yet (sync --rebuild)"),
    ("130", "stopped with Ctrl-C"),
)


@cli.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the script that completes companion's commands in SHELL.

    Load it from your shell's start-up file; the README shows where for each shell.
    """
    click.echo(completion_script(shell))


@cli.command(hidden=True)
def man() -> None:
    """Print companion's man page (roff), built from the commands' own help."""
    say(roff(), nl=False)


def _escape(text: str) -> str:
    """Text safe in roff: backslashes and dashes written out, no line read as a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = "".join(ch if ord(ch) < 128 else f"\\[u{ord(ch):04X}]" for ch in text)
    lines = [("\\&" + line) if line.startswith((".", "'")) else line for line in text.split("\n")]
    return "\n".join(lines)


def _paragraphs(text: str) -> str:
    """A help text's paragraphs, click's no-rewrap markers dropped."""
    kept = [p.replace("\b\n", "").strip() for p in text.split("\n\n")]
    return "\n.PP\n".join(_escape(p) for p in kept if p)


def roff() -> str:
    """The whole page: name, synopsis, one subsection per command, environment, exit codes."""
    from importlib import metadata  # only when the page is written: it is slow to import

    version = metadata.version("companion")
    today = dt.date.today().isoformat()
    out = [
        f'.TH COMPANION 1 "{today}" "companion {version}" "User Commands"',
        ".SH NAME",
        "companion \\- a private evening companion for two partners",
        ".SH SYNOPSIS",
        ".B companion",
        ".br",
        ".B companion",
        ".I COMMAND",
        "[\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]",
        ".SH DESCRIPTION",
        _paragraphs(cli.help or ""),
        ".SH COMMANDS",
    ]
    ctx = click.Context(cli, info_name="companion")
    for name, command in commands(cli):
        sub = click.Context(command, info_name=name, parent=ctx)
        pieces = " ".join(command.collect_usage_pieces(sub))
        out += [".SS", f"\\fBcompanion {_escape(name)}\\fR {_escape(pieces)}"]
        out.append(_paragraphs(command.help or ""))
        for param in command.get_params(sub):
            record = param.get_help_record(sub)
            if record is None or "--help" in getattr(param, "opts", ()) or not record[1]:
                continue  # arguments are in the synopsis line; --help goes without saying
            out += [".TP", f"\\fB{_escape(record[0])}\\fR", _escape(record[1] or "")]
        if name in EXAMPLES:
            out += [".PP", "Example:", ".RS", ".nf", _escape(EXAMPLES[name]), ".fi", ".RE"]
    out.append(".SH ENVIRONMENT")
    for variable, meaning in ENVIRONMENT.items():
        out += [".TP", f"\\fB{variable}\\fR", _escape(meaning)]
    out.append(".SH EXIT STATUS")
    for code, meaning in EXIT_CODES:
        out += [".TP", f"\\fB{code}\\fR", _escape(meaning)]
    out += [".SH SEE ALSO", "The README and SECURITY.md in companion's source."]
    return "\n".join(out) + "\n"
