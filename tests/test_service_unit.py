"""`companion service install | remove | status`: the login service running `watch --notify`,
written into a temporary XDG_CONFIG_HOME and read back."""

from __future__ import annotations

import configparser
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from companion.notify import unit

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="systemd: Linux")


def service_env(tmp_path: Path, *, systemctl: bool) -> dict[str, str]:
    """A temporary config home; PATH without systemctl unless asked for."""
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    env["PATH"] = str(tools) if not systemctl else f"{tools}:/usr/bin:/bin"
    return env


def unit_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "systemd" / "user" / "companion.service"


def test_install_needs_the_key_remembered_first(couple, tmp_path):
    alex, _ = couple
    done = alex.run("service", "install", **service_env(tmp_path, systemctl=False))
    assert done.code == 1 and "companion remember" in done.err, done.err
    assert not unit_path(tmp_path).exists()


def test_install_writes_a_unit_that_restarts_and_says_plainly_without_systemctl(couple, tmp_path):
    alex, _ = couple
    alex.ok("remember", "--key-file")
    env = service_env(tmp_path, systemctl=False)
    done = alex.run("service", "install", **env)
    assert done.code == 1, done.err
    path = unit_path(tmp_path)
    assert f"Wrote {path}." in done.out
    assert "this system has no `systemctl`" in done.err
    assert "companion watch --notify" in done.err, "and what to do instead"
    assert "Traceback" not in done.err

    parsed = configparser.ConfigParser(interpolation=None, strict=False)
    parsed.optionxform = str  # type: ignore[assignment,method-assign]
    parsed.read_string(path.read_text())
    service = parsed["Service"]
    command = service["ExecStart"].split()
    assert Path(command[0]).is_file() and command[1:] == ["watch", "--notify"]
    assert service["Restart"] == "on-failure"
    assert int(service["RestartSec"]) > 0
    assert parsed["Unit"]["StartLimitIntervalSec"] == "0", "never stops for good"
    assert service["Environment"] == f'"COMPANION_HOME={alex.home}"'
    assert parsed["Install"]["WantedBy"] == "default.target"

    analyze = shutil.which("systemd-analyze")
    if analyze:
        checked = subprocess.run(
            [analyze, "verify", str(path)], capture_output=True, text=True, timeout=60
        )
        assert checked.returncode == 0, checked.stderr

    status = alex.run("service", "status", **env)
    assert status.code == 1 and f"Set up in {path}, but not running" in status.out

    removed = alex.run("service", "remove", **env)
    assert not path.exists()
    assert "Removed" in removed.out + removed.err
    after = alex.ok("service", "status", **env)
    assert "No login service is set up" in after.out


def test_without_a_user_session_systemctl_is_said_in_plain_words(couple, tmp_path):
    alex, _ = couple
    if shutil.which("systemctl") is None:
        pytest.skip("no systemctl on this machine")
    alex.ok("remember", "--key-file")
    env = service_env(tmp_path, systemctl=True)
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path / 'none'}"
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "runtime")
    done = alex.run("service", "install", **env)
    if done.code == 0:
        pytest.skip("this machine has a systemd user session: the unit really started")
    assert "It isn't running yet:" in done.err and "Traceback" not in done.err
    assert unit_path(tmp_path).exists()


def test_unit_quotes_paths_with_spaces_and_percent_signs() -> None:
    text = unit.systemd_unit(["/opt/my apps/companion", "watch", "--notify"], "/home/a/100% us")
    assert 'ExecStart="/opt/my apps/companion" watch --notify' in text
    assert 'Environment="COMPANION_HOME=/home/a/100%% us"' in text


def test_the_launchd_agent_keeps_running_after_a_failure() -> None:
    agent = plistlib.loads(unit.launchd_agent(["/usr/bin/companion", "watch", "--notify"], "/h"))
    assert agent["ProgramArguments"][-2:] == ["watch", "--notify"]
    assert agent["KeepAlive"] == {"SuccessfulExit": False} and agent["RunAtLoad"] is True
    assert agent["EnvironmentVariables"] == {"COMPANION_HOME": "/h"}
