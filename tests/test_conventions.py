"""Command-line conventions: completion, help with examples and environment, the man page,
Ctrl-C at a prompt, a new passphrase asked for again, and `status` in plain local words."""

from __future__ import annotations

import os
import pty
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from companion.cli import cli
from companion.cli.helptext import EXAMPLES, commands

TIMEOUT = 60


def companion_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPANION_", "_COMPANION"))}
    env.update(COMPANION_HOME=str(home), TERM="xterm-256color")
    env.update(extra)
    return env


def companion_bin() -> str:
    found = Path(sys.executable).parent / "companion"
    assert found.exists(), "the `companion` entry point isn't installed in this venv"
    return str(found)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_come_within_a_second(shell: str, tmp_path: Path) -> None:
    # The work it takes, as CPU time (this process's children's, before and after): on a
    # machine many people share, the wall clock measures the queue rather than companion.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    done = subprocess.run(
        [companion_bin(), "completion", shell],
        env=companion_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    took = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert done.returncode == 0, done.stderr
    assert "_COMPANION_COMPLETE" in done.stdout
    marks = {
        "bash": "complete -o",
        "zsh": "#compdef companion",
        "fish": "complete --no-files --command companion",
    }
    assert marks[shell] in done.stdout
    assert cpu < 1.0, f"{shell} completion took {cpu:.2f}s of CPU"
    assert took < 10, f"{shell} completion took {took:.2f}s"
    assert not (tmp_path / "home").exists()


def test_the_completion_variable_never_opens_the_app(tmp_path: Path) -> None:
    """Bare `companion` with click's variable set answers the shell and exits: no app, even
    with a profile in place (the app would take the terminal and never return)."""
    env = companion_env(tmp_path / "home")
    script = subprocess.run(
        [companion_bin()],
        env={**env, "_COMPANION_COMPLETE": "bash_source"},
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert script.returncode == 0 and "_companion_completion" in script.stdout, script.stderr
    words = subprocess.run(
        [companion_bin()],
        env={
            **env,
            "_COMPANION_COMPLETE": "bash_complete",
            "COMP_WORDS": "companion re",
            "COMP_CWORD": "1",
        },
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert words.returncode == 0, words.stderr
    found = {line.split(",", 1)[1] for line in words.stdout.splitlines()}
    assert found == {n for n, c in cli.commands.items() if n.startswith("re") and not c.hidden}
    assert {"remember", "retire", "review"} <= found


def test_completion_works_in_a_real_bash(tmp_path: Path) -> None:
    """The script as the README installs it: bash asks it for `companion add ` and gets the
    kinds of things one adds."""
    script = (
        f'eval "$({companion_bin()} completion bash)"\n'
        "COMP_WORDS=(companion add ''); COMP_CWORD=2\n"
        "_companion_completion companion '' add\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    path = f"{Path(companion_bin()).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", script],
        env=companion_env(tmp_path / "home", PATH=path),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) == {"agreement", "care", "gratitude", "need"}


def test_every_command_help_has_an_example_and_its_environment() -> None:
    runner = CliRunner()
    listed = commands(cli)
    assert len(listed) >= 25
    for name, _command in listed:
        shown = runner.invoke(cli, [*name.split(), "--help"])
        assert shown.exit_code == 0, shown.output
        assert "Example:" in shown.output and EXAMPLES[name] in shown.output, name
        if name not in ("completion", "demo"):
            assert "COMPANION_HOME" in shown.output, name
        if name not in ("completion", "demo", "serve"):  # each tab of serve unlocks itself
            assert "COMPANION_PASSPHRASE" in shown.output, name
    assert "COMPANION_NEW_PASSPHRASE" in runner.invoke(cli, ["passwd", "--help"]).output
    top = runner.invoke(cli, ["--help"]).output
    for variable in ("COMPANION_HOME", "COMPANION_PASSPHRASE", "COMPANION_NOW"):
        assert variable in top


def test_each_example_names_its_own_command() -> None:
    for name, example in EXAMPLES.items():
        words = example.replace('eval "$(', "").split()
        assert words[0] == "companion", example
        assert " ".join(words[1 : 1 + len(name.split())]) == name, example


def test_the_man_page_is_built_from_the_commands(tmp_path: Path) -> None:
    done = subprocess.run(
        [companion_bin(), "man"],
        env=companion_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    page = done.stdout
    assert page.startswith(".TH COMPANION 1 ")
    for section in ("NAME", "SYNOPSIS", "COMMANDS", "ENVIRONMENT", "EXIT STATUS"):
        assert f"\n.SH {section}\n" in page
    headings = re.findall(r"^\\fBcompanion (.+?)\\fR", page, flags=re.M)
    assert headings == [name.replace("-", "\\-") for name, _ in commands(cli)]
    assert "\\fB\\-\\-rebuild\\fR" in page  # options, with roff's dashes
    assert not re.search(r"^[.'](?!TH|SH|SS|TP|PP|RS|RE|nf|fi|B |I |br)", page, flags=re.M)
    if shutil.which("groff"):
        (tmp_path / "companion.1").write_text(page, "utf-8")
        shown = subprocess.run(
            ["groff", "-man", "-Tutf8", "-ww", str(tmp_path / "companion.1")],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert shown.returncode == 0 and not shown.stderr, shown.stderr
        assert "unlocks without a prompt" in shown.stdout


class Terminal:
    """`companion` on a pseudo-terminal of its own, as a person at a keyboard runs it."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the terminal is its controlling one
            os.execve(args[0], args, env)
        self.seen = ""
        self.mark = 0  # where the next wait_for looks from

    def wait_for(self, text: str, timeout: float = TIMEOUT) -> str:
        """Wait until `text` appears after what earlier waits found; all seen so far."""
        deadline = time.monotonic() + timeout
        while text not in self.seen[self.mark :]:
            left = deadline - time.monotonic()
            assert left > 0, f"never saw {text!r}; saw:\n{self.seen}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                assert chunk, f"the terminal closed before {text!r}; saw:\n{self.seen}"
                self.seen += chunk.decode("utf-8", "replace")
        self.mark = self.seen.index(text, self.mark) + len(text)
        return self.seen

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def exit_code(self, timeout: float = TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:  # keep reading, or the child may block on a full terminal
                while select.select([self.fd], [], [], 0.05)[0]:
                    chunk = os.read(self.fd, 4096)
                    if not chunk:
                        break
                    self.seen += chunk.decode("utf-8", "replace")
            except OSError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError(f"still running; saw:\n{self.seen}")


@pytest.fixture
def space(tmp_path: Path) -> tuple[Path, Path]:
    shared = tmp_path / "shared"
    shared.mkdir()
    home = tmp_path / "alex"
    done = subprocess.run(
        [companion_bin(), "init", str(shared), "--name", "Alex"],
        env=companion_env(home, COMPANION_PASSPHRASE="correct horse battery staple"),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    return home, shared


@pytest.mark.parametrize("command", [["status"], ["passwd"], ["verify"]])
def test_ctrl_c_at_the_passphrase_prompt_stops_quietly(space, command: list[str]) -> None:
    home, _ = space
    term = Terminal([companion_bin(), *command], companion_env(home))
    term.wait_for("assphrase")
    time.sleep(0.2)
    term.type("\x03")  # the terminal turns it into SIGINT, as a keyboard's Ctrl-C
    code = term.exit_code()
    assert code == 130, term.seen
    assert "Traceback" not in term.seen and "No passphrase" not in term.seen, term.seen


def test_ctrl_c_at_the_new_passphrase_prompt_changes_nothing(space) -> None:
    home, shared = space
    header = (shared / "companion" / "space.json").read_bytes()
    term = Terminal(
        [companion_bin(), "passwd"],
        companion_env(home, COMPANION_PASSPHRASE="correct horse battery staple"),
    )
    term.wait_for("New passphrase")
    term.type("a new long one\r")
    term.wait_for("same again")
    term.type("\x03")
    assert term.exit_code() == 130, term.seen
    assert "Traceback" not in term.seen
    assert (shared / "companion" / "space.json").read_bytes() == header


def test_a_short_passphrase_is_asked_for_again_before_confirming(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    term = Terminal(
        [companion_bin(), "init", str(shared), "--name", "Alex"], companion_env(tmp_path / "a")
    )
    term.wait_for("Choose a passphrase")
    term.type("short\r")
    term.wait_for("at least 8 characters")
    seen = term.wait_for("Choose a passphrase", timeout=10)
    assert "same again" not in seen  # a too-short one is never asked to be confirmed
    assert seen.count("Choose a passphrase") == 2
    term.type("a long enough one\r")
    term.wait_for("same again")
    term.type("a long enough typo\r")
    term.wait_for("weren't the same")
    term.wait_for("Choose a passphrase")
    term.type("a long enough one\r")
    term.wait_for("same again")
    term.type("a long enough one\r")
    term.wait_for("Welcome, Alex")
    assert term.exit_code() == 0, term.seen
    opened = subprocess.run(
        [companion_bin(), "status", "--offline"],
        env=companion_env(tmp_path / "a", COMPANION_PASSPHRASE="a long enough one"),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert opened.returncode == 0, opened.stderr


def test_status_speaks_local_time_and_what_came_in(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    phrase = {"COMPANION_PASSPHRASE": "correct horse battery staple", "TZ": "Asia/Kolkata"}

    def run(who: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [companion_bin(), *args],
            env=companion_env(tmp_path / who, **phrase, **extra),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, done.stderr
        return done

    run("alex", "init", str(shared), "--name", "Alex", COMPANION_NOW="2026-03-02T20:00:00")
    run("sam", "join", str(shared), "--name", "Sam", COMPANION_NOW="2026-03-02T20:30:00")
    run("sam", "add", "need", "A hug at the door", COMPANION_NOW="2026-03-02T20:31:00")
    first = run("alex", "status", COMPANION_NOW="2026-03-02T21:04:00").stdout
    assert "Last shared at 21:04 today." in first  # local time (India), not UTC's 15:34
    assert re.search(r"brought in \d+ changes? from Sam\.", first), first
    assert "T21:04" not in first and "+05:30" not in first
    again = run("alex", "status", "--offline", COMPANION_NOW="2026-03-03T09:00:00").stdout
    assert "Last shared yesterday at 21:04." in again
    assert "brought in" not in again
