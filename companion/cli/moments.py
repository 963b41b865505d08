"""Commands of the evening's moments: pause, support, unsend, and `tonight` at a glance."""

from __future__ import annotations

from typing import Any

import click

from companion.cli.base import cli, emit_json, say, with_session
from companion.views import delivered


def _sent(session: Any, done: str) -> str:
    """`done`, said once the change is in the shared folder; else that it waits."""
    if delivered(session):
        return done
    from companion.views import waiting_line

    return waiting_line(session)


@cli.command()
@click.option("--minutes", type=int, help="How long: 20 minutes to a day (default 30).")
@click.option("--until", "until", metavar="HH:MM", help="When you'll be back, e.g. 21:30.")
@click.option("--note", help="A word for your partner, e.g. “I need a walk”.")
@click.option("--end", is_flag=True, help="End your pause now: you're ready to come back.")
@with_session
def pause(session, minutes: int | None, until: str | None, note: str | None, end: bool) -> None:
    """Call a pause in a hard conversation: "I need a pause; back at 21:30"."""
    partner = session.name_of(session.partner)
    if end:
        session.end_pause()
        say(_sent(session, f"Your pause is over; {partner} sees you're back."))
        say("When you're both ready: `companion repair` for a gentle step back together.")
        return
    record = session.start_pause(minutes, until, note)
    back = session.clock_time(int(record.get("until")))
    say(_sent(session, f"Pausing until {back}. {partner} sees that you'll be back then."))
    say("Breathe, walk, drink some water; come back when the time comes.")


@cli.command()
@click.argument("text", nargs=-1)
@click.option(
    "--answer", metavar="ITEM", help="Answer your partner's request: an item of their care menu."
)
@click.option("--end", is_flag=True, help="Take back your request: you're all right now.")
@with_session
def support(session, text: tuple[str, ...], answer: str | None, end: bool) -> None:
    """Ask for support tonight, with an optional word; or answer your partner's request."""
    partner = session.name_of(session.partner)
    if answer is not None:
        record = session.answer_support(answer)
        say(_sent(session, f"{partner} will see: “{record.get('answer')}”. Thank you."))
        return
    if end:
        session.end_support()
        say(_sent(session, "Taken back. Glad you're all right."))
        return
    session.ask_support(" ".join(text) or None)
    say(_sent(session, f"{partner} will see that you could use support tonight."))
    say("Their answer shows in `companion tonight`. It lasts until the night is over.")


@cli.command()
@click.argument("note", required=False)
@with_session
def unsend(session, note: str | None) -> None:
    """Take back a note you sent in the last five minutes (your newest, or NOTE)."""
    session.unsend_note(note)
    # Whether the partner has read it isn't known here (that would be a read receipt): said
    # as a possibility, so no one is promised it went unseen.
    partner = session.name_of(session.partner)
    say(_sent(session, f"Taken back: it's gone from both your apps. {partner} may have read it."))


@cli.command()
@click.option("--again", help="What I'd like to try again.")
@click.option("--understood", help="One thing I understand better now.")
@click.option("--share", is_flag=True, help="Share these with your partner (else kept for you).")
@with_session
def repair(session, again: str | None, understood: str | None, share: bool) -> None:
    """After a pause: what you'd like to try again, one thing you understand better now."""
    due = session.repairs_due()
    if not due:
        say("No pause is waiting for a repair step.")
        return
    if again is None and understood is None:
        say(_repair_guide(session))
        return
    session.take_repair(due[0].record.id, again, understood, share=share)
    if share:
        say(_sent(session, f"Shared with {session.name_of(session.partner)}."))
    else:
        say("Kept for you, on this device only.")


def _repair_guide(session: Any) -> str:
    lines = [
        "The pause is over. When you're both ready, a gentle step back together:",
        "  What would I like to try again?       --again TEXT",
        "  One thing I understand better now:    --understood TEXT",
        "Your answers stay on this device unless you add --share.",
    ]
    agreement = session.pause_agreement()
    if agreement is not None:
        lines.append(f"Your agreement: “{agreement.get('text')}”")
    return "\n".join(lines)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable.")
@with_session
def tonight(session, as_json: bool) -> None:
    """The evening at a glance: care due, what arrived, a pause or a request, the check-in."""
    from companion.cli.evening import evening_data, evening_text, mark_looked

    data = evening_data(session)
    seen = data.pop("_seen")
    if as_json:
        emit_json(data)
    else:
        say(evening_text(data))
    mark_looked(session, seen)
