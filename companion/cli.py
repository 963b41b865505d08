"""The `companion` command. Each subcommand is a thin call into the layers below."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from companion.errors import EXIT_USAGE, CompanionError, DataError, UsageError
from companion.store.home import PASSPHRASE_ENV


def _home() -> Path:
    from companion.store.profile import profile_home

    return profile_home()


def read_passphrase(prompt: str = "Passphrase", *, confirm: bool = False) -> str:
    """From COMPANION_PASSPHRASE, else a hidden prompt (or a line of standard input)."""
    env = os.environ.get(PASSPHRASE_ENV)
    if env is not None:
        return env
    if not sys.stdin.isatty():
        # piped in by a script: one line per prompt (twice when confirming), never echoed
        first = sys.stdin.readline().rstrip("\r\n")
        if not first:
            raise UsageError(
                "No passphrase was given.", f"Type it at the prompt, or set {PASSPHRASE_ENV}."
            )
        if confirm:
            second = sys.stdin.readline().rstrip("\r\n")
            if second and second != first:
                raise UsageError("The two passphrases don't match; nothing was created.")
        return first
    try:
        return click.prompt(
            prompt, hide_input=True, confirmation_prompt=confirm, err=True, show_default=False
        )
    except click.Abort:
        raise UsageError(
            "No passphrase was given.", f"Type it at the prompt, or set {PASSPHRASE_ENV}."
        ) from None


def open_session():
    from companion.service import Session

    if os.environ.get(PASSPHRASE_ENV) is None:
        remembered = Session.open_remembered(_home())
        if remembered is not None:
            return remembered
    return Session.unlock(_home(), read_passphrase())


def open_session_for_rebuild():
    """Unlock without reading the local copy: it may be the very thing that is damaged."""
    from companion.service import Session, load_header
    from companion.store import early
    from companion.store import profile as profiles

    profile = profiles.load(_home())
    header = load_header(profile)
    passphrase = read_passphrase()
    started = early.take(_home(), passphrase)
    kek = started.result() if started is not None and started.params == header.kdf else None
    return Session(profile, header, header.unlock(passphrase, kek))


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def with_session(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        session = open_session()
        try:
            return func(session, *args, **kwargs)
        finally:
            session.close()

    return wrapper


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


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", required=True, help="Your first name or nickname.")
def init(folder: Path, name: str) -> None:
    """Create the space in FOLDER (a folder your sync tool shares) and this device's profile."""
    from companion.domain.model import clean_name
    from companion.service import init_space

    clean_name(name)
    passphrase = read_passphrase("Choose a passphrase", confirm=True)
    session = init_space(_home(), folder, name, passphrase)
    session.close()
    click.echo(f"Welcome, {clean_name(name)}. Your space is ready in {session.profile.space_dir}.")
    click.echo(
        "Your partner joins from their machine, once the folder has synced there:\n"
        f"  companion join {session.profile.shared_folder} --name THEIR-NAME\n"
        "They will need the same passphrase: tell it to them in person."
    )


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", required=True, help="Your name: a new one, or yours for another device.")
def join(folder: Path, name: str) -> None:
    """Join the space in FOLDER, as the other partner or as another device of one."""
    from companion.service import join_space

    passphrase = read_passphrase()
    with click.progressbar(
        length=1000, label="Bringing in your shared history", file=sys.stderr, width=30
    ) as bar:
        shown = 0

        def progress(fraction: float) -> None:
            nonlocal shown
            step = int(fraction * 1000) - shown
            if step > 0:
                bar.update(step)
                shown += step

        session = join_space(_home(), folder, name, passphrase, progress=progress)
    session.close()
    partner = session.partner
    who = session.name_of(session.me)
    if partner:
        click.echo(
            f"Welcome, {who}. You're in the space you share with {session.name_of(partner)}."
        )
    else:
        click.echo(f"Welcome, {who}. You've joined the space.")


@cli.group()
def add() -> None:
    """Add a gratitude note, a need to your care menu, or a care action."""


@add.command("gratitude")
@click.argument("text", nargs=-1, required=True)
@with_session
def add_gratitude(session, text: tuple[str, ...]) -> None:
    """A note of thanks to your partner: what they did, and how it landed."""
    record = session.add_gratitude(" ".join(text))
    click.echo(f"Sent to {session.name_of(record.get('to'))}. ({record.id[:8]})")


@add.command("need")
@click.argument("text", nargs=-1, required=True)
@with_session
def add_need(session, text: tuple[str, ...]) -> None:
    """What care looks like for you, added to your care menu."""
    record = session.add_need(" ".join(text))
    click.echo(f"Added to your care menu. ({record.id[:8]})")


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
    click.echo(f"Care action added: {record.get('title')} — {when}. ({record.id[:8]})")


@add.command("agreement")
@click.argument("text", nargs=-1, required=True)
@with_session
def add_agreement(session, text: tuple[str, ...]) -> None:
    """Propose an agreement (a boundary, a limit, how you pause a conflict)."""
    record = session.propose_agreement(" ".join(text))
    click.echo(
        f"Proposed. It holds once {session.name_of(session.partner)} accepts it. ({record.id[:8]})"
    )


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
    title = session.replica.get(record.get("action"), "care").get("title")
    if undo:
        click.echo(f"Untouched: {title} on {when.isoformat()}.")
    elif skip:
        click.echo(f"Skipped for {when.isoformat()}: {title}. Rest is care too.")
    else:
        click.echo(f"Done for {when.isoformat()}: {title}.")


@cli.command()
@click.option("--supported", required=True, help="One recent moment you felt supported.")
@click.option("--attention", required=True, help="When …, I felt …; what would help is …")
@click.option("--energy", type=str, help="Your energy this week, 1 (empty) to 5 (plenty).")
@click.option("--limits", help="Limits to respect this week.")
@click.option("--victory", help="A small victory to celebrate.")
@click.option("--request", help="One request for next week.")
@click.option("--week", metavar="YYYY-Www", help="The ISO week, if not this one.")
@with_session
def checkin(session, week: str | None, **answers: Any) -> None:
    """Your weekly reciprocity check-in."""
    record = session.checkin(week, **answers)
    state = session.checkin_state(record.get("week"))
    click.echo(f"Your check-in for {record.get('week')} is saved.")
    if state.both_submitted:
        click.echo(f"{session.name_of(session.partner)}'s is in too: `companion list checkins`.")
    else:
        click.echo(f"It waits for {session.name_of(session.partner)}'s.")


@cli.command()
@click.option("--week", metavar="YYYY-Www", help="The ISO week, if not this one.")
@with_session
def unseal(session, week: str | None) -> None:
    """Let your partner read your check-in now, before theirs is in."""
    record = session.unseal_checkin(week)
    click.echo(
        f"Your check-in for {record.get('week')} is open to {session.name_of(session.partner)}."
    )


@cli.command()
@click.argument("action")
@click.argument("verdict", type=click.Choice(["landed", "missed", "not-needed"]))
@click.option("--week", metavar="YYYY-Www", help="The ISO week (default: last week).")
@with_session
def review(session, action: str, verdict: str, week: str | None) -> None:
    """As the receiver, say how one of your partner's care actions felt last week."""
    record = session.review(action, verdict, week)
    click.echo(f"Noted for {record.get('week')}: {verdict}.")


@cli.command()
@click.argument("agreement")
@with_session
def accept(session, agreement: str) -> None:
    """Accept an agreement your partner proposed."""
    record = session.accept_agreement(agreement)
    click.echo(f"Agreed: {record.get('text')}")


@cli.command()
@click.argument("kind", type=click.Choice(["need", "care", "agreement"]))
@click.argument("ref")
@with_session
def retire(session, kind: str, ref: str) -> None:
    """Retire a need, a care action or an agreement that no longer fits (history stays)."""
    record = session.retire(kind, ref)
    click.echo(f"Retired: {record.get('title') or record.get('text')}")


@cli.command()
@click.argument("note")
@with_session
def landed(session, note: str) -> None:
    """Tell your partner one of their notes landed."""
    record = session.resolve_note(note)
    session.mark_notes([record], read=True, landed=True)
    click.echo(f"{session.name_of(record.author)} will see that it landed.")


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
        click.echo(f"No {kind} yet.")
    for record in records:
        click.echo(views.text_line(session, record))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable status.")
@click.option(
    "--clear-problems",
    is_flag=True,
    help="Forget the problems sync noted (ones still there are found again on the next sync).",
)
@with_session
def status(session, as_json: bool, clear_problems: bool) -> None:
    """Who we are, devices, last sync, partner's last activity, changes waiting, problems."""
    from companion import views

    if clear_problems:
        cleared = session.clear_problems()
        click.echo(f"Cleared {cleared} noted problem(s).", err=True)
    data = views.status_data(session)
    if as_json:
        emit_json(data)
    else:
        click.echo(views.status_text(data))


@cli.command()
@click.option("--rebuild", is_flag=True, help="Rebuild the local copy from the shared folder.")
def sync(rebuild: bool) -> None:
    """One pass: share this device's changes, bring in your partner's."""
    from companion.sync.problems import Problem

    if rebuild:
        from companion.service import rebuild_replica

        session = rebuild_replica(open_session_for_rebuild())
        click.echo(
            "Rebuilt this device's copy from the shared folder "
            f"(the old copy is set aside in {session.profile.home})."
        )
    else:
        session = open_session()
    result = session.sync()
    session.close()
    if not result.folder_available:
        raise DataError(
            f"The shared folder {session.profile.shared_folder} isn't reachable. "
            f"{result.waiting} change(s) wait on this device; nothing is lost.",
            "Mount or sync the shared folder, then run `companion sync` again.",
        )
    others = [op for op in result.incoming_ops if op["device"] != session.profile.device_id]
    shared = (
        f"Shared {result.exported} change(s)" if result.exported else "Nothing waiting to share"
    )
    click.echo(f"{shared}; brought in {len(others)}.")
    for problem in map(Problem.from_dict, result.problems):
        click.echo(f"Problem: device {problem.short_device}: {problem.message}", err=True)


@cli.command()
@click.option("--poll", is_flag=True, help="Poll the folder (network shares, FUSE mounts).")
@click.option(
    "--rescan",
    default=15,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds between full rescans, a backstop for missed events.",
)
@click.option("--once", is_flag=True, hidden=True, help="Stop after the first pass (tests).")
def watch(poll: bool, rescan: int, once: bool) -> None:
    """Keep syncing in the background, headless (for a login service). Ctrl-C stops it."""
    import time

    from companion.sync.problems import Problem
    from companion.sync.watcher import watch as watch_folder
    from companion.views import describe_arrivals

    session = open_session()
    devices_dir = session.journal.devices_dir
    click.echo(f"Watching {devices_dir} (Ctrl-C to stop).")
    reported: set[tuple[str, str, int]] = set()
    offline = False

    def log(text: str, *, err: bool = False) -> None:
        click.echo(f"{time.strftime('%Y-%m-%d %H:%M:%S')}  {text}", err=err)

    def one_pass() -> None:
        nonlocal offline
        result = session.sync()
        if not result.folder_available:
            if not offline:
                log(f"The shared folder isn't reachable; {result.waiting} change(s) wait here.")
            offline = True
            return
        if offline:
            log("The shared folder is back.")
            offline = False
        if result.exported:
            log(f"Shared {result.exported} change(s).")
        arrived = describe_arrivals(session, result.imported)
        if arrived:
            log(arrived)
        for problem in map(Problem.from_dict, result.problems):
            if problem.key not in reported:
                reported.add(problem.key)
                log(f"Problem: device {problem.short_device}: {problem.message}", err=True)

    one_pass()
    if once:
        return
    try:
        for _ in watch_folder(
            devices_dir,
            poll=True if poll else None,
            rescan_ms=rescan * 1000,
            own_dir=session.journal.own_dir,
        ):
            one_pass()
    except KeyboardInterrupt:
        log("Stopped.")
    finally:
        session.close()


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
        click.echo(text, nl=False)
    else:
        write_export(output, text)
        click.echo(f"Exported to {output} (not encrypted: keep it somewhere private).", err=True)


@cli.command()
@click.option("--forget", is_flag=True, help="Stop remembering; ask for the passphrase again.")
@click.option(
    "--key-file",
    is_flag=True,
    help="Where there is no keychain, keep the key in a 0600 file in your profile instead.",
)
def remember(forget: bool, key_file: bool) -> None:
    """Remember the passphrase on this device (in the OS keychain), or forget it."""
    from companion.service import Session

    if forget:
        from companion.store import keychain
        from companion.store import profile as profiles

        keychain.forget(profiles.load(_home()))
        click.echo("Forgotten. companion asks for the passphrase again on this device.")
        return
    from companion.store import keychain

    if not key_file and not keychain.keychain_available():
        raise UsageError(
            "This system has no keychain that companion can use, so it can't remember the "
            "passphrase safely.",
            "Keep typing it (safest), or run `companion remember --key-file` to keep the key "
            "in your profile: it opens your space for anyone with a copy of this disk.",
        )
    session = Session.unlock(_home(), read_passphrase())
    if key_file:
        click.echo(
            "Warning: a key file opens your space for anyone with a copy of this disk.",
            err=True,
        )
    where = session.remember(allow_file=key_file)
    place = "the system keychain" if where == "keychain" else "a key file in your profile"
    click.echo(f"Remembered in {place}. `companion remember --forget` undoes it.")


@cli.command()
def passwd() -> None:
    """Change the space's passphrase (both partners use the new one afterwards)."""
    from companion.service import Session

    session = Session.unlock(_home(), read_passphrase("Current passphrase"))
    if os.environ.get("COMPANION_NEW_PASSPHRASE") is not None:
        new = os.environ["COMPANION_NEW_PASSPHRASE"]
    else:
        try:
            new = click.prompt(
                "New passphrase", hide_input=True, confirmation_prompt=True, err=True
            )
        except click.Abort:
            raise UsageError("No new passphrase was given; nothing changed.") from None
    session.change_passphrase(new)
    click.echo("Passphrase changed. Tell your partner the new one in person.")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@click.pass_context
def verify(ctx: click.Context, as_json: bool) -> None:
    """Open every file of the space and of this device's copy; list each problem and what to do.

    Changes nothing. Exits 0 when all is well, 3 when something needs attention.
    """
    from companion.errors import EXIT_DATA
    from companion.verify import run

    report = run(_home(), read_passphrase, remembered=os.environ.get(PASSPHRASE_ENV) is None)
    if as_json:
        emit_json(report.to_json())
    else:
        click.echo(report.text())
    if not report.ok:
        count = len(report.problems)
        click.echo(f"companion: verify found {count} problem(s).", err=True)
        ctx.exit(EXIT_DATA)


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the demo space afterwards (its path is shown).")
@click.option("--weeks", default=5, show_default=True, type=click.IntRange(1, 52))
def demo(keep: bool, weeks: int) -> None:
    """Try the app on a throw-away space, with a simulated partner writing to you live."""
    import shutil
    import subprocess
    import tempfile

    from companion import demo as demo_space

    root = Path(tempfile.mkdtemp(prefix="companion-demo-"))
    partner = None
    try:
        click.echo(f"Setting up a demo space with {weeks} weeks of history ", nl=False, err=True)
        space = demo_space.build(root, weeks, progress=lambda: click.echo(".", nl=False, err=True))
        click.echo(" ready.", err=True)
        env = {
            **os.environ,
            "COMPANION_HOME": str(space.sam_home),
            PASSPHRASE_ENV: demo_space.PASSPHRASE,
        }
        log = (root / "partner.log").open("w")
        partner = subprocess.Popen(
            [sys.executable, "-m", "companion.demo", "partner", str(space.sam_home)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        os.environ["COMPANION_HOME"] = str(space.alex_home)
        os.environ[PASSPHRASE_ENV] = demo_space.PASSPHRASE
        from companion.tui.app import run_app

        run_app()
    finally:
        if partner is not None and partner.poll() is None:
            partner.terminate()
            try:
                partner.wait(timeout=5)
            except subprocess.TimeoutExpired:
                partner.kill()
        if keep:
            click.echo(
                f"The demo space is kept in {root}. Open it again with:\n"
                f"  COMPANION_HOME={root / 'alex'} COMPANION_PASSPHRASE='{demo_space.PASSPHRASE}' "
                "companion",
                err=True,
            )
        else:
            shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning every error a person can act on into a message and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase and not (set(args) & {"init", "join", "demo", "-h", "--help", "--version"}):
        from companion.store import early

        early.begin(_home(), passphrase)
    try:
        code = cli.main(args=argv, prog_name="companion", standalone_mode=False)
    except CompanionError as exc:
        click.echo(f"companion: {exc.render()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:
        click.echo("\nStopped.", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        click.echo("\nStopped.", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
