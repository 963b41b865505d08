"""`companion serve`: the app in a browser tab on this computer (companion/serve/)."""

from __future__ import annotations

import threading

import click

from companion.cli.base import cli, say


@cli.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default="any free port",
    help="The port to listen on.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the link in your browser.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Only this computer's own address is accepted; see the README for other devices.",
)
def serve(port: int, open_browser: bool, host: str) -> None:
    """Open the app in a web browser on this computer, behind a secret link.

    Each tab starts at the unlock screen (or opens at once where this device remembers the
    key: then the link alone opens your space, so keep it to yourself). Closing a tab ends
    its evening; Ctrl+C here ends them all.

    \b
    Examples:
      companion serve --open
      companion serve --port 8765
    """
    from companion.serve.run import serve as run_server

    def ready(url: str) -> None:
        say("companion is ready in a browser, at this private link:")
        say(f"  {url}")
        say("Anyone with the link can reach your space while this runs; keep it to yourself.")
        say("Press Ctrl+C here to stop (every open tab's evening closes).")
        if open_browser:
            # in a thread: a text-mode browser would otherwise hold the server up
            threading.Thread(target=_open, args=(url,), daemon=True).start()

    run_server(host, port, ready)
    say("Stopped; every tab's evening has closed.")


def _open(url: str) -> None:
    import webbrowser

    if not webbrowser.open(url, new=2):
        say("No browser could be opened from here: copy the link into one.")
