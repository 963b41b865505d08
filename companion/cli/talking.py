"""Commands for after the reveal: one focus for next week, and "how did that go?"."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from companion.cli.base import cli, say, with_session
from companion.views import delivered

if TYPE_CHECKING:
    from companion.service import Session
    from companion.service.talk import Focus


def focus_lines(session: Session, focus: Focus, lead: str) -> list[str]:
    """A focus as a person reads it: whose words, and the other suggestion if it differs."""
    who = "your words" if focus.author == session.me else f"{session.name_of(focus.author)}'s words"
    lines = [f"{lead}: “{focus.text}” ({who})"]
    if focus.other_text is not None:
        whose = "You" if focus.other_author == session.me else session.name_of(focus.other_author)
        lines.append(f"  {whose} also suggested: “{focus.other_text}”")
    return lines


@cli.command()
@click.argument("text", nargs=-1)
@click.option("--week", metavar="YYYY-Www", help="The check-in's week, if not this one.")
@with_session
def focus(session, text: tuple[str, ...], week: str | None) -> None:
    """Suggest one focus for next week, after you've both shared and talked; alone, show it."""
    partner = session.name_of(session.partner)
    if text:
        chosen = session.set_focus(" ".join(text), week)
        done = f"{partner} sees it too; next week's check-in starts from it."
        say(done if delivered(session) else f"Saved; {partner} sees it once it is shared.")
        for line in focus_lines(session, chosen, "Next week's focus"):
            say(line)
        return
    now, after = session.current_focus(), session.next_focus()
    if now is None and after is None:
        say("No focus chosen yet. After you've both shared and talked it over:")
        say('  companion focus "One slow evening together"')
    for found, lead in ((now, "This week's focus"), (after, "Next week's focus")):
        if found is not None:
            for line in focus_lines(session, found, lead):
                say(line)


@cli.command()
@click.argument("text", nargs=-1)
@click.option("--share", is_flag=True, help="Let your partner read it (it stays shared).")
@click.option("--week", metavar="YYYY-Www", help="The check-in's week, if not this one.")
@with_session
def reflect(session, text: tuple[str, ...], share: bool, week: str | None) -> None:
    """How did the talk go? A few words, kept for you unless you share them."""
    partner = session.name_of(session.partner)
    kept = session.reflect(" ".join(text) or None, share=share, week=week)
    if kept.shared:
        say(f"Shared with {partner}." if delivered(session) else "Saved; it goes out soon.")
    else:
        say(f"Kept for you, sealed on this device; {partner} can't read it.")
        say("To share it later: `companion reflect --share`.", err=True)
