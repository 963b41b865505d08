"""The README's "Commands at a glance" examples, run literally, in order, as Alex and Sam.

Each example is run by bash exactly as the table shows it, as the partner the paragraph under
the table names (Alex when it names nobody), with no `companion sync` added: a command brings
in what has arrived by itself. The full-screen ones (`companion`, `companion demo`) run in
tmux at 80x24 and are quit with ctrl+q; `companion watch` and `companion serve` run until
Ctrl-C.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
PASSPHRASE = "correct horse battery staple"
NEW_PASSPHRASE = "a brand new evening passphrase"
TIMEOUT = 120


def table_examples() -> list[str]:
    """The example column of the command table, top to bottom."""
    text = README.read_text("utf-8")
    section = text.split("## Commands at a glance", 1)[1].split("\n## ", 1)[0]
    examples = []
    for line in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 3 and cells[2].startswith("`") and cells[2].endswith("`"):
            examples.append(cells[2][1:-1].replace("\\|", "|"))
    return examples


def runners() -> dict[str, str]:
    """Which partner runs which command, from the paragraph under the table."""
    text = README.read_text("utf-8")
    section = text.split("## Commands at a glance", 1)[1].split("\n## ", 1)[0]
    found = {}
    runs = r"(Alex|Sam) runs ((?:`[^`]+`(?:,?\s+and\s+|,\s+)?)+)"
    for person, listed in re.findall(runs, section):
        for command in re.findall(r"`([^`]+)`", listed):
            found[command] = person
    return found


def command_words(example: str) -> str:
    """`companion add need "…"` → 'add need'; `companion` → ''."""
    words = []
    for word in example.split()[1:]:
        if word.startswith(("-", '"', "~")):
            break
        words.append(word)
        if words[0] not in ("add",) or len(words) == 2:
            break
    return " ".join(words)


class Couple:
    """Two profiles on one machine sharing ~/Sync/us, as the README's couple."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        (self.home / "Sync" / "us").mkdir(parents=True)
        self.passphrase = PASSPHRASE
        bin_dir = Path(sys.executable).parent
        self.base_env = {
            k: v for k, v in os.environ.items() if not k.startswith(("COMPANION_", "PYTHON"))
        }
        self.base_env.update(
            HOME=str(self.home),
            PATH=f"{bin_dir}{os.pathsep}{self.base_env.get('PATH', '')}",
            # A keychain stands in for the desktop's own, so `companion remember` works.
            PYTHONPATH=str(REPO / "tests"),
            PYTHON_KEYRING_BACKEND="keychain_stub.FileKeyring",
            KEYCHAIN_STUB_FILE=str(root / "keychain.json"),
            TERM="xterm-256color",
        )

    def env(self, person: str) -> dict[str, str]:
        return {
            **self.base_env,
            "COMPANION_HOME": str(self.root / person.lower()),
            "COMPANION_PASSPHRASE": self.passphrase,
            "COMPANION_NEW_PASSPHRASE": NEW_PASSPHRASE,
        }

    def run(self, person: str, example: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", example],
            cwd=self.home,
            env=self.env(person),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
        )

    def watch(self, person: str, example: str, until: str) -> tuple[int, str]:
        """A long-running command: until a line says `until`, then Ctrl-C."""
        proc = subprocess.Popen(
            ["bash", "-c", f"exec {example}"],
            cwd=self.home,
            env=self.env(person),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        # Read through the same buffered stream to the end (communicate() with a timeout
        # reads the pipe underneath it and would miss lines already buffered here).
        watchdog = threading.Timer(TIMEOUT, proc.kill)
        watchdog.start()
        try:
            lines = []
            while (line := proc.stdout.readline()) and until not in line:
                lines.append(line)
            lines.append(line)
            time.sleep(1)
            proc.send_signal(signal.SIGINT)
            lines.append(proc.stdout.read())
            proc.wait()
        finally:
            watchdog.cancel()
        return proc.returncode, "".join(lines)

    def full_screen(self, person: str, example: str, until: str) -> tuple[int, str]:
        """A full-screen command in tmux at 80x24: wait for `until` on screen, then ctrl+q."""
        session = f"readme-{os.getpid()}-{time.monotonic_ns()}"
        done = self.root / f"{session}.exit"
        env = " ".join(f"{k}={_quote(v)}" for k, v in self.env(person).items())
        script = f"cd {_quote(str(self.home))} && env -i {env} bash -c {_quote(example)}; "
        script += f"echo $? > {_quote(str(done))}"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", script],
            check=True,
            timeout=30,
        )
        screen = ""
        try:
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline and until not in screen:
                time.sleep(0.5)
                screen = _capture(session)
            assert until in screen, f"{example!r} never showed {until!r}:\n{screen}"
            subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], timeout=30)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not done.exists():
                time.sleep(0.2)
            assert done.exists(), f"{example!r} didn't quit on ctrl+q:\n{_capture(session)}"
            return int(done.read_text().strip() or "-1"), screen
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _capture(session: str) -> str:
    done = subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True, timeout=30
    )
    return done.stdout


def test_the_table_and_its_paragraph_are_read() -> None:
    examples = table_examples()
    assert examples[0].startswith("companion init") and len(examples) >= 20
    who = runners()
    assert who.get("join") == "Sam" and who.get("init") == "Alex"
    assert who.get("landed") == "Sam" and who.get("retire") == "Alex"


@pytest.mark.slow
def test_the_readme_examples_work_as_written(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed (apt install tmux); CI installs it")
    couple = Couple(tmp_path)
    who = runners()
    for example in table_examples():
        words = command_words(example)
        person = who.get(words, "Alex")
        if words == "watch":
            code, output = couple.watch(person, example, until="Watching")
            assert code == 0 and "Watching" in output, output
            continue
        if words == "serve":  # long-running too: until it prints its link
            code, output = couple.watch(person, example, until="http://127.0.0.1:")
            assert code == 0 and "http://127.0.0.1:" in output, output
            continue
        if words in ("", "demo"):
            code, screen = couple.full_screen(person, example, until="Tonight")
            assert code == 0, screen
            continue
        done = couple.run(person, example)
        assert done.returncode == 0, f"{person}: {example}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        if words == "passwd":
            couple.passphrase = NEW_PASSPHRASE
    assert (couple.home / "us.md").exists()
