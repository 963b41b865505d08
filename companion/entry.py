"""Where `companion` starts: the app at once when there is no command, else the CLI.

Opening the app is what people do every evening, so that path loads only what it needs:
neither the command-line parser nor the commands' modules.
"""

from __future__ import annotations

import gc
import os
import sys

from companion.errors import CompanionError

COMPLETE_ENV = "_COMPANION_COMPLETE"  # click's name for it, from the program's name


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "completion" and args[1] in ("bash", "zsh", "fish"):
        # asked for at a shell's every start: the script alone, without the commands
        from companion.shells import completion_script

        print(completion_script(args[1]))
        return
    # A shell asking for completions runs `companion` bare with this set: it wants words
    # back, never the full-screen app.
    if args or os.environ.get(COMPLETE_ENV):
        from companion.cli import main as cli_main

        cli_main(args)
        return
    # Start-up allocates a great deal and frees almost nothing: the cyclic collector would
    # run some ninety times before the first paint for nothing. The app turns it back on
    # once Tonight is painted, and in any case within two seconds (a question on screen).
    gc.disable()
    try:
        from companion.store import home as profiles
        from companion.tui import prefetch

        home = profiles.profile_home()
        helper = None
        if profiles.exists(home):
            # On the other core, while Textual loads: open the space and read Tonight.
            helper = prefetch.start(
                home,
                os.environ.get(profiles.PASSPHRASE_ENV) or None,
                remembered=profiles.remembered_in(home) is not None,
            )
        from companion.tui.app import run_app

        run_app(helper)
    except CompanionError as exc:
        from companion.domain.text import inert

        print(f"companion: {inert(exc.render(), multiline=True)}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        sys.exit(130)
    finally:
        gc.enable()
    sys.exit(0)
