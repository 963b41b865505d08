"""The completion scripts shells load, made from the program's name alone: printing one
loads neither the commands nor the app (a shell may ask for it at every start)."""

from __future__ import annotations

SHELLS = ("bash", "zsh", "fish")
COMPLETE_ENV = "_COMPANION_COMPLETE"  # click's name for it, from the program's name


def completion_script(shell: str) -> str:
    """The script that completes `companion` in `shell` (one of SHELLS)."""
    import click
    from click.shell_completion import get_completion_class

    maker = get_completion_class(shell)
    if maker is None:  # click knows all three; a guard should it ever drop one
        raise ValueError(f"no completion for {shell}")
    # the script names the program and the variable only: no command is looked at
    return maker(click.Command("companion"), {}, "companion", COMPLETE_ENV).source()
