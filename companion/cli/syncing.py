"""Commands that sync with the partner: one pass, or keep watching."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from companion.cli.base import _home, cli, open_session, read_passphrase, say
from companion.errors import DataError, UnlockError

if TYPE_CHECKING:
    from companion.service import Session
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
@click.option(
    "--retry",
    default=60,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds between tries while the space can't be opened yet.",
)
@click.option(
    "--notify",
    is_flag=True,
    help="Post a quiet desktop notification when your partner sends something (and the "
    "evening reminder, if set), unless notifications are off on this device.",
)
@click.option("--once", is_flag=True, hidden=True, help="Stop after the first pass (tests).")
def watch(poll: bool, rescan: int, retry: int, notify: bool, once: bool) -> None:
    """Keep syncing in the background, headless (for a login service). Ctrl-C stops it.

    While the space can't be opened (the shared folder isn't there yet, or the passphrase
    was changed and the new space.json hasn't synced here) it says why and tries again.
    """
    import time

    from companion.arrivals import describe_arrivals
    from companion.sync.watcher import watch as watch_folder

    def log(text: str, *, err: bool = False) -> None:
        say(f"{time.strftime('%Y-%m-%d %H:%M:%S')}  {text}", err=err)

    session = _open_waiting(log, retry, once)
    devices_dir, own_dir = session.watched_dirs()
    say(f"Watching {devices_dir} (Ctrl-C to stop).")
    reported: set[tuple[str, str, int]] = set()
    offline = False

    from companion.notify.desktop import DesktopPoster
    from companion.notify.watching import Notifier

    notifier = Notifier(session, DesktopPoster(), log, forced=notify)

    def one_pass() -> None:
        nonlocal offline
        result = session.sync()
        notifier.after_pass(result.imported)
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


def _open_waiting(log: Callable[..., None], retry: int, once: bool) -> Session:
    """Open the space, and while that can't be done yet, say why once and try again: a
    service that stopped for good would miss the moment it could go on."""
    import time

    said = None
    while True:
        try:
            session = open_session()
        except (UnlockError, DataError) as exc:
            if once:
                raise
            if exc.render() != said:
                said = exc.render()
                log(f"Can't open the space yet: {said}", err=True)
                log(f"Trying again every {retry} seconds (Ctrl-C stops).", err=True)
            time.sleep(retry)
            continue
        if said is not None:
            log("The space opens again.")
        return session
