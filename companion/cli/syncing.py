"""Commands that sync with the partner: one pass, or keep watching."""

from __future__ import annotations

import click

from companion.cli.base import _home, cli, open_session, read_passphrase, say
from companion.errors import DataError
from companion.sync.problems import Problem


@cli.command()
@click.option("--rebuild", is_flag=True, help="Rebuild the local copy from the shared folder.")
def sync(rebuild: bool) -> None:
    """One pass: share this device's changes, bring in your partner's."""
    if rebuild:
        from companion.service import Passphrase, rebuild_space

        session = rebuild_space(_home(), lambda: Passphrase(read_passphrase()))
        say(
            "Rebuilt this device's copy from the shared folder "
            f"(the old copy is set aside in {session.home})."
        )
    else:
        session = open_session()
    result = session.sync()
    session.close()
    if not result.folder_available:
        planted = [p.message for p in map(Problem.from_dict, result.problems)]
        raise DataError(
            f"The shared folder {session.shared_folder} isn't "
            + ("usable as it is. " if planted else "reachable. ")
            + f"{result.waiting} change(s) wait on this device; nothing is lost.",
            planted[0]
            if planted
            else "Mount or sync the shared folder, then run `companion sync` again.",
        )
    others = [op for op in result.incoming_ops if op["device"] != session.device_id]
    shared = (
        f"Shared {result.exported} change(s)" if result.exported else "Nothing waiting to share"
    )
    say(f"{shared}; brought in {len(others)}.")
    for problem in map(Problem.from_dict, result.problems):
        say(f"Problem: {problem.where}: {problem.message}", err=True)


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

    from companion.sync.watcher import watch as watch_folder
    from companion.views import describe_arrivals

    session = open_session()
    devices_dir, own_dir = session.watched_dirs()
    say(f"Watching {devices_dir} (Ctrl-C to stop).")
    reported: set[tuple[str, str, int]] = set()
    offline = False

    def log(text: str, *, err: bool = False) -> None:
        say(f"{time.strftime('%Y-%m-%d %H:%M:%S')}  {text}", err=err)

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
                log(f"Problem: {problem.where}: {problem.message}", err=True)

    one_pass()
    if once:
        return
    try:
        for _ in watch_folder(
            devices_dir,
            poll=True if poll else None,
            rescan_ms=rescan * 1000,
            own_dir=own_dir,
        ):
            one_pass()
    except KeyboardInterrupt:
        log("Stopped.")
    finally:
        session.close()
