"""Commands that set up the space and its keys: init, join, remember, passwd, verify, demo."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from companion.cli.base import _home, cli, emit_json, read_passphrase, say
from companion.errors import UsageError
from companion.store.home import PASSPHRASE_ENV


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", required=True, help="Your first name or nickname.")
@click.option(
    "--timezone",
    "week_zone",
    metavar="ZONE",
    help="The time zone whose calendar files your check-ins, e.g. America/Los_Angeles "
    "(default: this computer's). Living far apart, pick the one further west.",
)
def init(folder: Path, name: str, week_zone: str | None) -> None:
    """Create the space in FOLDER (a folder your sync tool shares) and this device's profile."""
    from companion.domain.model import clean_name
    from companion.domain.weeks import zone_named
    from companion.service import init_space

    clean_name(name)
    if week_zone is not None and zone_named(week_zone) is None:
        raise UsageError(
            f"There is no time zone called {week_zone!r}.",
            "Use a name like Europe/Berlin, America/Los_Angeles or Pacific/Auckland.",
        )
    passphrase = read_passphrase("Choose a passphrase", confirm=True)
    session = init_space(_home(), folder, name, passphrase, week_zone=week_zone)
    session.close()
    say(f"Welcome, {clean_name(name)}. Your space is ready in {session.space_dir}.")
    say(
        "Your partner joins from their machine, once the folder has synced there:\n"
        f"  companion join {session.shared_folder} --name THEIR-NAME\n"
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
    # on another device of a partner, their own record arrives once a device of theirs
    # confirms this one: until then the name is the one the space gave at join
    who = session.partners().get(session.me) or session.joined_as or name
    if partner:
        say(f"Welcome, {who}. You're in the space you share with {session.name_of(partner)}.")
    else:
        say(f"Welcome, {who}. You've joined the space.")
    if not session.is_confirmed():
        say(
            "This is another device of yours: your other devices take its changes once one "
            "of them confirms it. On one of them, run:\n"
            f"  companion devices approve {session.my_code()}"
        )


@cli.command()
@click.option("--forget", is_flag=True, help="Stop remembering; ask for the passphrase again.")
@click.option(
    "--key-file",
    is_flag=True,
    help="Where there is no keychain, keep the key in a 0600 file in your profile instead.",
)
def remember(forget: bool, key_file: bool) -> None:
    """Remember the passphrase on this device (in the OS keychain), or forget it."""
    from companion.service import Passphrase, open_space

    if forget:
        from companion.store import keychain
        from companion.store import profile as profiles

        keychain.forget(profiles.load(_home()))
        say("Forgotten. companion asks for the passphrase again on this device.")
        return
    from companion.store import keychain

    if not key_file and not keychain.keychain_available():
        raise UsageError(
            "This system has no keychain that companion can use, so it can't remember the "
            "passphrase safely.",
            "Keep typing it (safest), or run `companion remember --key-file` to keep the key "
            "in your profile: it opens your space for anyone with a copy of this disk.",
        )
    session = open_space(_home(), Passphrase(read_passphrase()))
    if key_file:
        say(
            "Warning: a key file opens your space for anyone with a copy of this disk.",
            err=True,
        )
    where = session.remember(allow_file=key_file)
    place = "the system keychain" if where == "keychain" else "a key file in your profile"
    say(f"Remembered in {place}. `companion remember --forget` undoes it.")


@cli.command()
def passwd() -> None:
    """Change the space's passphrase (both partners use the new one afterwards)."""
    from companion.service import Passphrase, open_space

    session = open_space(_home(), Passphrase(read_passphrase("Current passphrase")))
    new = read_passphrase("New passphrase", confirm=True, env="COMPANION_NEW_PASSPHRASE")
    session.change_passphrase(new)
    say("Passphrase changed. Tell your partner the new one in person.")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@click.pass_context
def verify(ctx: click.Context, as_json: bool) -> None:
    """Open every file of the space and of this device's copy; list each problem and what to do.

    Changes nothing. Exits 0 when all is well, 3 when something needs attention, 2 when the
    passphrase doesn't open the space (what can be checked without it is still listed).
    """
    from companion.errors import EXIT_DATA, EXIT_UNLOCK
    from companion.verify import UNLOCK_REFUSED, run

    report = run(_home(), read_passphrase, remembered=os.environ.get(PASSPHRASE_ENV) is None)
    if as_json:
        emit_json(report.to_json())
    else:
        say(report.text())
    if not report.ok:
        count = len(report.problems)
        refused = [p for p in report.problems if p.kind == UNLOCK_REFUSED]
        for finding in refused:
            say(f"companion: {finding.message}\n{finding.hint}".rstrip(), err=True)
        say(f"companion: verify found {count} problem(s).", err=True)
        ctx.exit(EXIT_UNLOCK if refused else EXIT_DATA)


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
        say(f"Setting up a demo space with {weeks} weeks of history ", nl=False, err=True)
        space = demo_space.build(root, weeks, progress=lambda: say(".", nl=False, err=True))
        say(" ready.", err=True)
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
            say(
                f"The demo space is kept in {root}. Open it again with:\n"
                f"  COMPANION_HOME={root / 'alex'} COMPANION_PASSPHRASE='{demo_space.PASSPHRASE}' "
                "companion",
                err=True,
            )
        else:
            shutil.rmtree(root, ignore_errors=True)
