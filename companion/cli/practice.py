"""Commands of the practice: add, tick, checkin, unseal, review, accept, talk-first, retire,
landed."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from companion.cli.base import cli, say, with_session
from companion.domain import consent
from companion.domain.words import VERDICT_WORDS
from companion.views import delivered


@cli.group()
def add() -> None:
    """Add a gratitude note, a need to your care menu, or a care action."""


@add.command("gratitude")
@click.argument("text", nargs=-1, required=True)
@click.option("--as-is", "as_is", is_flag=True, help="Send it as written, without a suggestion.")
@with_session
def add_gratitude(session, text: tuple[str, ...], as_is: bool) -> None:
    """A note of thanks to your partner: what they did, and how it landed."""
    import sys

    from companion.domain.moments import note_suggestion

    note = " ".join(text)
    thought = None if as_is else note_suggestion(note)
    if thought is not None:
        say(thought, err=True)
        # A person at the terminal chooses; a script can't answer, so its note goes as written.
        if sys.stdin.isatty() and not click.confirm("Send it as written?", default=True, err=True):
            say("Not sent. Add what they did or how it felt, and send it again.", err=True)
            return
    record = session.add_gratitude(note)
    if delivered(session):
        say(f"Sent to {session.name_of(record.get('to'))}. ({record.id[:8]})")
    else:
        say(f"Saved. ({record.id[:8]})")
    say("Changed your mind? `companion unsend` takes it back for five minutes.", err=True)


@add.command("need")
@click.argument("text", nargs=-1, required=True)
@with_session
def add_need(session, text: tuple[str, ...]) -> None:
    """What care looks like for you, added to your care menu."""
    record = session.add_need(" ".join(text))
    say(f"Added to your care menu. ({record.id[:8]})")


@add.command("care")
@click.argument("text", nargs=-1, required=True)
@click.option(
    "--cadence",
    default="daily",
    show_default=True,
    help="daily, weekdays, weekly, as-needed, or days such as mon,wed,fri.",
)
@click.option("--need", "need_ref", help="The need from your partner's menu this answers.")
@with_session
def add_care(session, text: tuple[str, ...], cadence: str, need_ref: str | None) -> None:
    """A small act of care you commit to, with how often."""
    from companion.domain.model import describe_cadence

    record = session.add_care(" ".join(text), cadence, need_ref)
    when = describe_cadence(record.get("cadence"), record.get("days"))
    say(f"Care action added: {record.get('title')} — {when}. ({record.id[:8]})")


@add.command("agreement")
@click.argument("text", nargs=-1, required=True)
@with_session
def add_agreement(session, text: tuple[str, ...]) -> None:
    """Propose an agreement (a boundary, a limit, how you pause a conflict)."""
    record = session.propose_agreement(" ".join(text))
    say(f"Proposed. It holds once {session.name_of(session.partner)} accepts it. ({record.id[:8]})")


@cli.command()
@click.argument("action")
@click.option("--skip", is_flag=True, help="Skipped today (low energy). A skip is not a failure.")
@click.option("--undo", is_flag=True, help="Take back the tick for that day.")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The day, if not today.")
@with_session
def tick(session, action: str, skip: bool, undo: bool, day: str | None) -> None:
    """Mark one of your care actions done (or skipped) for today or another day."""
    from companion.domain.model import parse_date

    when = parse_date(day, session.today())
    record = session.tick(action, when, skip=skip, undo=undo)
    title = session.title_of(record.get("action"), "care")
    if undo:
        say(f"Untouched: {title} on {when.isoformat()}.")
    elif skip:
        say(f"Skipped for {when.isoformat()}: {title}. Rest is care too.")
    else:
        say(f"Done for {when.isoformat()}: {title}.")


def _answers_or_none(command: Callable[..., Any]) -> Callable[..., Any]:
    """Answers need the two a check-in always asks for; no answers at all asks for the guide.
    Checked before the space is opened, as click checks a required option."""

    @wraps(command)
    def checked(**options: Any) -> Any:
        given = [name for name in ANSWERS if options.get(name) is not None]
        for name in ("supported", "attention"):
            if given and options.get(name) is None:
                context = click.get_current_context()
                param = next(p for p in context.command.params if p.name == name)
                raise click.MissingParameter(ctx=context, param=param)
        return command(**options)

    return checked


ANSWERS = (
    "supported",
    "victory",
    "attention",
    "request",
    "energy",
    "limits",
    "my_week",
    "their_week",
)


@cli.command()
@click.option("--supported", help="One recent moment you felt supported.")
@click.option("--victory", help="What went right this week: a small victory to celebrate.")
@click.option("--attention", help="When …, I felt …; what would help is …")
@click.option("--request", help="One request for next week.")
@click.option("--energy", type=str, help="Your energy this week, 1 (empty) to 5 (plenty).")
@click.option("--limits", help="Limits to respect this week.")
@click.option("--my-week", "my_week", help="How this week felt for you, in a few words.")
@click.option(
    "--their-week", "their_week", help="What you think this week felt like for your partner."
)
@click.option("--week", metavar="YYYY-Www", help="The ISO week, if not this one.")
@_answers_or_none
@with_session
def checkin(session, week: str | None, **answers: Any) -> None:
    """Your weekly check-in, in the order of a good weekly talk: a moment you felt supported,
    what went right, one thing needing attention, one request; then your energy and limits.

    --supported and --attention are needed, the rest is optional. Run it without answers to
    see the week's steps with this week's prompts, which are there if they help."""
    if all(value is None for value in answers.values()):
        from companion.cli.checkin_guide import checkin_guide

        say(checkin_guide(session, week))
        return
    record = session.checkin(week, **answers)
    state = session.checkin_state(record.get("week"))
    say(f"Your check-in for {record.get('week')} is saved.")
    if state.both_submitted:
        say(f"{session.name_of(session.partner)}'s is in too: `companion list checkins`.")
        say("Talk it over; then `companion focus` and `companion reflect` are there.", err=True)
    else:
        say(f"It waits for {session.name_of(session.partner)}'s.")


@cli.command()
@click.option("--week", metavar="YYYY-Www", help="The ISO week, if not this one.")
@with_session
def unseal(session, week: str | None) -> None:
    """Let your partner read your check-in now, before theirs is in."""
    record = session.unseal_checkin(week)
    partner = session.name_of(session.partner)
    if delivered(session):
        say(f"Your check-in for {record.get('week')} is open to {partner}.")
    else:
        say(f"Your check-in for {record.get('week')} opens to {partner} once it is shared.")


@cli.command()
@click.argument("action")
@click.argument("verdict", type=click.Choice(list(VERDICT_WORDS)))
@click.option("--week", metavar="YYYY-Www", help="The ISO week (default: last week).")
@click.option("--note", metavar="TEXT", help="A few words of your own: what would help instead.")
@with_session
def review(session, action: str, verdict: str, week: str | None, note: str | None) -> None:
    """As the receiver, say how one of your partner's care actions felt last week: it
    landed, it didn't reach you (didnt-reach-me, or missed), or it wasn't needed."""
    from companion.domain.words import VERDICT_LABELS

    stored = VERDICT_WORDS[verdict]
    record = session.review(action, stored, week, note=note)
    words = f" ({record.get('note')})" if record.get("note") else ""
    say(f"Noted for {record.get('week')}: {VERDICT_LABELS[stored]}{words}.")


@cli.command()
@click.argument("agreement")
@with_session
def accept(session, agreement: str) -> None:
    """Accept an agreement your partner proposed."""
    record = session.accept_agreement(agreement)
    say(f"Agreed: {record.get('text')}")


@cli.command()
@click.argument("kind", type=click.Choice(["need", "care", "agreement"]))
@click.argument("ref")
@with_session
def retire(session, kind: str, ref: str) -> None:
    """Retire a need, a care action or an agreement that no longer fits (history stays).

    An accepted agreement is retired once you both have asked to."""
    record = session.retire(kind, ref)
    title = record.get("title") or record.get("text")
    if kind == "agreement" and consent.state(record) == consent.RETIRING:
        partner = session.name_of(session.partner)
        if record.get("accepted_by"):
            say(f"Asked to retire: {title}")
            say(f"It holds until {partner} agrees to retire it too.")
        else:
            say(f"Asked to withdraw: {title}")
            say(f"{partner} will see it; it is set aside once they agree.")
    else:
        say(f"Retired: {title}")


@cli.command("talk-first")
@click.argument("agreement")
@with_session
def talk_first(session, agreement: str) -> None:
    """Tell your partner you'd like to talk before agreeing (to a proposal, or to retiring)."""
    record = session.talk_first(agreement)
    partner = session.name_of(session.partner)
    say(f"{partner} will see that you'd like to talk first about: {record.get('text')}")


@cli.command()
@click.argument("note")
@with_session
def landed(session, note: str) -> None:
    """Tell your partner one of their notes landed."""
    record = session.resolve_note(note)
    session.mark_notes([record], read=True, landed=True)
    if delivered(session):
        say(f"{session.name_of(record.author)} will see that it landed.")
    else:
        say("Marked as landed.")
