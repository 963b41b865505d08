"""Running `companion serve` in a test: as a person starts it, stopped with Ctrl+C after."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

START_TIMEOUT = 60.0
LINK = re.compile(r"http://127\.0\.0\.1:\d+/[A-Za-z0-9_-]+/")


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    log: Path

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 0

    @property
    def secret(self) -> str:
        return urlsplit(self.url).path.strip("/")

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def app_processes(self) -> list[int]:
        """The app processes the server runs now, one for each open tab (Linux: /proc)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if not children.exists():
            return []
        found = []
        for child in children.read_text().split():
            try:
                status = Path(f"/proc/{child}/stat").read_text()
            except OSError:
                continue
            if status.rsplit(")", 1)[1].split()[0] != "Z":  # an exited child not yet reaped
                found.append(int(child))
        return found

    def wait_for(self, ready: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = ready()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"waited {timeout:.0f}s for {what}\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def serve(partner: Any, *args: str, **extra_env: str) -> Iterator[Served]:
    """`companion serve --port 0` as `partner`, until the block ends (then Ctrl+C)."""
    env = partner.env(**extra_env)
    env.pop("COMPANION_PASSPHRASE", None)  # as a person starts it: tabs ask for it
    env["PYTHONUNBUFFERED"] = "1"
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as log_file:
        log = Path(log_file.name)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "companion", "serve", "--port", "0", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
    served = Served(process, "", log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (found := LINK.search(served.output())):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"companion serve didn't start:\n{served.output()}")
            time.sleep(0.05)
        served.url = found.group(0)
        yield served
    finally:
        served.stop()
        with contextlib.suppress(OSError):
            os.unlink(log)
