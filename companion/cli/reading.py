"""Commands that read: list, status, export."""

from __future__ import annotations

from pathlib import Path

import click

from companion.cli.base import cli, emit_json, say, with_session


@cli.command("list")
@click.argument(
    "kind",
    type=click.Choice(["gratitude", "needs", "care", "ticks", "checkins", "agreements", "reviews"]),
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable records.")
@with_session
def list_(session, kind: str, as_json: bool) -> None:
    """List gratitude notes, needs, care actions, ticks, check-ins or agreements."""
    from companion import views

    records = views.records_for(session, kind)
    if as_json:
        names = session.partners()
        emit_json([views.record_json(session, r, names) for r in records])
        return
    if not records:
        say(f"No {kind} yet.")
    for record in records:
        say(views.text_line(session, record))
    if kind == "care":
        word = views.their_word_line(session)
        if word:
            say("")
            say(word)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable status.")
@click.option(
    "--clear-problems",
    is_flag=True,
    help="Forget the problems sync noted (ones still there are found again on the next sync).",
)
@with_session
def status(session, as_json: bool, clear_problems: bool) -> None:
    """Who we are, devices, last sync, changes waiting, clocks and problems."""
    from companion import views

    if clear_problems:
        cleared = session.clear_problems()
        say(f"Cleared {cleared} noted problem(s).", err=True)
    data = views.status_data(session, click.get_current_context().meta.get("companion.synced"))
    if as_json:
        emit_json(data)
    else:
        say(views.status_text(data))


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown", "csv"]),
    default="json",
    show_default=True,
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@with_session
def export(session, fmt: str, output: Path | None) -> None:
    """Everything you can see, as JSON, Markdown or CSV. The export is not encrypted."""
    from companion import views
    from companion.service import write_export

    text = views.EXPORTERS[fmt](session)
    if output is None:
        say(text, nl=False)
    else:
        write_export(output, text)
        say(f"Exported to {output} (not encrypted: keep it somewhere private).", err=True)
