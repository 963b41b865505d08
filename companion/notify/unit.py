"""The login service that runs `companion watch --notify`: a systemd user unit on Linux, a
launchd agent on macOS. Writing the file is separate from asking the system to run it, so
tests can check what is written."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

UNIT_NAME = "companion.service"
AGENT_LABEL = "org.companion.watch"
# A problem that passes (a folder not mounted yet, no network) never stops the service for
# good: it starts again after this many seconds, as often as it takes.
RESTART_SECONDS = 30
HOME_ENV = "COMPANION_HOME"


def watch_command() -> list[str]:
    """How this installation runs `companion watch --notify`."""
    script = Path(sys.executable).parent / "companion"
    if script.is_file():
        return [str(script), "watch", "--notify"]
    return [sys.executable, "-m", "companion", "watch", "--notify"]


def _systemd_word(word: str) -> str:
    """One argument of ExecStart=, quoted and with systemd's specifiers escaped."""
    word = word.replace("%", "%%")
    if any(c in word for c in " \t\"\\'$;"):
        escaped = word.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$")
        return f'"{escaped}"'
    return word


def systemd_unit(command: list[str], home: str | None) -> str:
    """The text of the systemd user unit."""
    env = ""
    if home:
        value = home.replace("%", "%%").replace("\\", "\\\\").replace('"', '\\"')
        env = f'Environment="{HOME_ENV}={value}"\n'
    return (
        "[Unit]\n"
        "Description=companion: keep in sync with your partner, with quiet notifications\n"
        # If Syncthing brings the folder, start after it (harmless where it isn't installed).
        "After=syncthing.service\n"
        # No limit on restarts: a problem that passes never stops it for good.
        "StartLimitIntervalSec=0\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={' '.join(_systemd_word(w) for w in command)}\n"
        f"{env}"
        "Restart=on-failure\n"
        f"RestartSec={RESTART_SECONDS}\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def launchd_agent(command: list[str], home: str | None) -> bytes:
    """The launchd agent's property list."""
    agent: dict[str, object] = {
        "Label": AGENT_LABEL,
        "ProgramArguments": command,
        "RunAtLoad": True,
        # Started again whenever it stops other than cleanly, as often as it takes.
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": RESTART_SECONDS,
        "ProcessType": "Background",
    }
    if home:
        agent["EnvironmentVariables"] = {HOME_ENV: home}
    return plistlib.dumps(agent)


@dataclass(frozen=True)
class Platform:
    """Where this system keeps login services, and how it is asked to run one."""

    kind: str  # 'systemd' or 'launchd'
    path: Path

    @property
    def tool(self) -> str:
        return "systemctl" if self.kind == "systemd" else "launchctl"


def platform() -> Platform | None:
    """This system's login services, or None where companion can't set one up."""
    if sys.platform == "darwin":
        return Platform(
            "launchd", Path.home() / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist"
        )
    if sys.platform.startswith("linux"):
        config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        return Platform("systemd", Path(config) / "systemd" / "user" / UNIT_NAME)
    return None


def write(where: Platform, command: list[str], home: str | None) -> None:
    """Write the unit (or agent) file, replacing an older one."""
    where.path.parent.mkdir(parents=True, exist_ok=True)
    if where.kind == "systemd":
        data = systemd_unit(command, home).encode()
    else:
        data = launchd_agent(command, home)
    temp = where.path.with_name(f".{where.path.name}.tmp")
    temp.write_bytes(data)
    temp.replace(where.path)


@dataclass(frozen=True)
class Outcome:
    """What the system said: whether it did it, and its own words if not."""

    ok: bool
    said: str = ""


def ask(where: Platform, action: str) -> Outcome:
    """Ask the system to 'start', 'stop' or report the 'status' of the service."""
    tool = shutil.which(where.tool)
    if tool is None:
        return Outcome(False, f"this system has no `{where.tool}` to start it with")
    steps = _systemd_steps(action) if where.kind == "systemd" else _launchd_steps(action, where)
    said = ""
    for step in steps:
        try:
            done = subprocess.run(
                [tool, *step], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Outcome(False, str(exc))
        said = (done.stdout + done.stderr).strip()
        if done.returncode != 0:
            return Outcome(False, _plain(said))
    return Outcome(True, said)


def _systemd_steps(action: str) -> list[list[str]]:
    if action == "start":
        return [["--user", "daemon-reload"], ["--user", "enable", "--now", UNIT_NAME]]
    if action == "stop":
        return [["--user", "disable", "--now", UNIT_NAME]]
    return [["--user", "is-active", UNIT_NAME]]


def _launchd_steps(action: str, where: Platform) -> list[list[str]]:
    domain = f"gui/{os.getuid()}"
    if action == "start":
        return [["bootstrap", domain, str(where.path)]]
    if action == "stop":
        return [["bootout", f"{domain}/{AGENT_LABEL}"]]
    return [["print", f"{domain}/{AGENT_LABEL}"]]


def _plain(said: str) -> str:
    """The system's refusal, in our words where we know what it means."""
    if "Failed to connect to bus" in said or "No medium found" in said:
        return (
            "there is no systemd user session here (a container, or a server where "
            "`loginctl enable-linger` hasn't been run)"
        )
    return said or "the system gave no reason"
